// TypeORM data-source options shared by the API, the CLI scripts and the TypeORM CLI
// (`npx typeorm -d dist/ormconfig.js migration:show`). Migrations only: never synchronize.
import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { StatementCountingLogger } from './src/database/statement-counter';
import { entities } from './src/database/entities';
import { SnakeNamingStrategy } from './src/database/naming-strategy';
import { connectionTypes } from './src/database/timestamps';
import { migrations } from './migrations';
import { loadConfig } from './src/config';

export function dataSourceOptions(
  url: string,
  overrides: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    namingStrategy: new SnakeNamingStrategy(),
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['query'],
    logger: new StatementCountingLogger(),
    extra: { max: 10, application_name: 'concord', types: connectionTypes },
    ...overrides,
  } as DataSourceOptions;
}

export default new DataSource(dataSourceOptions(loadConfig().databaseUrl ?? 'postgres://localhost/concord'));
