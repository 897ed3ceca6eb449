// An unexpected database error is logged by its statement and error code, never by the values bound
// to it or the driver's detail, which can hold ID numbers, phone numbers or password hashes.
import { QueryFailedError } from 'typeorm';
import { loggableError } from '../../src/graphql/format-error';

test('a failed statement is logged without its bound values or the driver detail', () => {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint'), {
    code: '23505',
    constraint: 'persons_national_id_key',
    table: 'persons',
    detail: 'Key (national_id)=(110101199001011234) already exists.',
  });
  const error = new QueryFailedError(
    'UPDATE users SET password_hash = $1 WHERE national_id = $2',
    ['$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', '110101199001011234'],
    driverError,
  );
  const logged = JSON.stringify(loggableError(error));
  expect(logged).not.toContain('110101199001011234');
  expect(logged).not.toContain('argon2id');
  expect(logged).toContain('UPDATE users SET password_hash = $1');
  expect(logged).toContain('23505');
  expect(logged).toContain('persons_national_id_key');
  // Anything else is logged as it is.
  const plain = new Error('boom');
  expect(loggableError(plain)).toBe(plain);
});
