// The floor `npm run bench` compares the API with: the dashboard's data fetched by hand-written SQL
// through `pg` — no GraphQL, no ORM, no permission layer, no audit. `handWrittenDashboard` is the
// data alone; `serveFloor` serves it over plain node:http as JSON, so the floor can be driven by
// autocannon exactly like the API (same client, same transport, same response shape and size).
// Its statements are named, as the API's repeated reads are (src/database/prepared.ts): a floor
// that PostgreSQL plans anew on every request would flatter the API (4.2 → 2.5 ms of PostgreSQL
// CPU per request when named).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';

export async function handWrittenDashboard(pool: Pool, streetPath: string): Promise<unknown> {
  // As a careful hand would write it: the page's ids by an index-only walk of the street's grids,
  // then only those rows, with the total counted from the same index.
  const persons = await pool.query<{ id: string }>({
    name: 'floor_persons',
    text: `WITH street AS MATERIALIZED (SELECT id FROM jurisdictions WHERE path = $1 OR path LIKE $1 || '.%'),
          page AS (SELECT p.id FROM persons p
                    WHERE p.grid_id IN (SELECT id FROM street) AND p.tier IN ('YELLOW','ORANGE','RED')
                    ORDER BY p.created_at DESC, p.id DESC LIMIT 50)
     SELECT p.id, p.name, p.tier, p.id_number, p.phone, p.tier_explanation_data,
            (SELECT count(*) FROM persons c
              WHERE c.grid_id IN (SELECT id FROM street) AND c.tier IN ('YELLOW','ORANGE','RED')) AS total
       FROM page JOIN persons p ON p.id = page.id
      ORDER BY p.created_at DESC, p.id DESC`,
    values: [streetPath],
  });
  const ids = persons.rows.map((row) => row.id);
  const [disputes, assignments, followUps] = await Promise.all([
    pool.query({
      name: 'floor_disputes',
      text: `SELECT dp.person_id, d.id, d.category, d.status,
              (SELECT json_agg(json_build_object('role', x.role, 'id', q.id, 'name', q.name))
                 FROM dispute_parties x JOIN persons q ON q.id = x.person_id WHERE x.dispute_id = d.id) AS parties
         FROM dispute_parties dp JOIN disputes d ON d.id = dp.dispute_id
        WHERE dp.person_id = ANY($1) AND d.status IN ('REPORTED', 'ACCEPTED', 'IN_MEDIATION')`,
      values: [ids],
    }),
    pool.query({
      name: 'floor_assignments',
      text: `SELECT person_id, id, responsible_person_id, measures FROM assignments WHERE person_id = ANY($1) AND active`,
      values: [ids],
    }),
    pool.query({
      name: 'floor_follow_ups',
      text: `SELECT DISTINCT ON (person_id) person_id, occurred_at, method FROM follow_ups
        WHERE person_id = ANY($1) ORDER BY person_id, occurred_at DESC`,
      values: [ids],
    }),
  ]);
  return {
    persons: persons.rows,
    disputes: disputes.rows,
    assignments: assignments.rows,
    followUps: followUps.rows,
  };
}

/** Serves the hand-written dashboard at every POST (on `port`, or any free one); its URL and a way to stop it. */
export async function serveFloor(
  pool: Pool,
  streetPath: string,
  port = 0,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      handWrittenDashboard(pool, streetPath).then(
        (data) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ data }));
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
