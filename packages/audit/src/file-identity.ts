import { fstatSync, statSync } from 'node:fs';
import { AuditFileReplacedError } from './errors.js';

function problem(
  path: string,
  held: { dev: number; ino: number },
  atPath: { dev: number; ino: number } | undefined,
): AuditFileReplacedError | undefined {
  if (atPath === undefined) {
    return new AuditFileReplacedError(
      `the day file ${path} was deleted or renamed while the logger held it open`,
      path,
    );
  }
  if (atPath.dev !== held.dev || atPath.ino !== held.ino) {
    return new AuditFileReplacedError(
      `the day file ${path} was replaced by another file while the logger held it open`,
      path,
    );
  }
  return undefined;
}

function missing(error: unknown): undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
  throw error;
}

/**
 * Throws when the file at `path` is no longer the file `fd` has open (deleted, renamed, or replaced by
 * another file): writes through it would then land where no reader ever looks.
 *
 * @throws {AuditFileReplacedError} code `AUDIT_FILE_REPLACED`
 */
export function assertStillAtPathSync(fd: number, path: string): void {
  const held = fstatSync(fd);
  let atPath: { dev: number; ino: number } | undefined;
  try {
    atPath = statSync(path);
  } catch (error) {
    atPath = missing(error);
  }
  const found = problem(path, held, atPath);
  if (found !== undefined) throw found;
}
