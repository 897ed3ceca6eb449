// The account an ADMIN acts on: a USER (not a service account) inside the ADMIN's own subtree. Shared
// by user administration and the second-factor reset, so both refuse the same accounts the same way.
import type { EntityManager } from 'typeorm';
import { User } from '../domain/organisation/user.entity';
import { ErrorCode } from '../graphql/errors';
import { problem } from '../graphql/mutation';
import type { RequestContext } from '../request-scope';
import { subtreeNodesSql, subtreeParams } from '../permissions/scope';

const NO_SUCH_USER = {
  zh: '您的辖区内没有此编号的用户',
  en: 'No user with this id within your jurisdiction',
};

/** The USER account `userId` inside the caller's subtree, locked for this transaction; else NOT_FOUND. */
export async function managedAccount(
  tx: EntityManager,
  context: RequestContext,
  userId: string,
): Promise<User> {
  const { path, descendants } = subtreeParams(context.user);
  const user = await tx
    .getRepository(User)
    .createQueryBuilder('u')
    .where('u.id = :userId', { userId })
    .andWhere(`u.kind = 'USER'`)
    .andWhere(`u.jurisdiction_id IN (${subtreeNodesSql(':path', ':descendants')})`, { path, descendants })
    .setLock('pessimistic_write')
    .getOne();
  if (!user) throw problem('input.userId', NO_SUCH_USER, ErrorCode.NOT_FOUND);
  return user;
}
