// A `.claude/` directory sent to the admin API as `{"files": {"config.yaml": "…", "org/roles.yaml": "…"}}`:
// checked (relative paths of config files only, bounded), written to a private temporary directory for
// the loader, and removed after, whatever happened. Problems name the file as it was sent.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError, ValidationError } from '../../core/errors/app-error.ts';

const MAX_FILES = 1_000;
const MAX_BYTES = 10 * 1024 * 1024;
const SAFE_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[\w.-]+(?:\/[\w.-]+)*$/;
const CONFIG_FILE = /\.(?:ya?ml|json|md|txt)$/;
/** Tenant context documents may be of any kind (the loader reads every file under context/). */
const CONTEXT_FILE = /(?:^|\/)context\//;

function isAcceptedPath(path: string): boolean {
  return SAFE_PATH.test(path) && (CONFIG_FILE.test(path) || CONTEXT_FILE.test(path));
}

export async function withUploadedConfig<T>(
  files: Readonly<Record<string, string>>,
  use: (dir: string) => Promise<T>,
): Promise<T> {
  const entries = Object.entries(files);
  if (entries.length === 0 || entries.length > MAX_FILES) {
    throw new ValidationError(`body.files: between 1 and ${MAX_FILES} files of the .claude/ directory`, {
      field: 'body.files',
    });
  }
  let bytes = 0;
  for (const [path, text] of entries) {
    if (!isAcceptedPath(path)) {
      throw new ValidationError(
        `body.files["${path}"]: a relative path inside .claude/ ending .yaml, .yml, .json, .md or .txt, or any file under context/ (no .., no leading /)`,
        { field: `body.files.${path}` },
      );
    }
    bytes += Buffer.byteLength(text);
  }
  if (bytes > MAX_BYTES) {
    throw new ValidationError('body.files: at most 10 MiB in all', { field: 'body.files' });
  }
  const dir = await mkdtemp(join(tmpdir(), 'llm-rules-upload-'));
  try {
    for (const [path, text] of entries) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text, { mode: 0o600 });
    }
    return await use(dir);
  } catch (error) {
    if (error instanceof ConfigError) throw asSent(error, dir);
    if (error instanceof ValidationError) {
      const field =
        error.details.field === 'DIR' ? 'body.files' : String(error.details.field ?? 'body.files');
      throw new ValidationError(error.message.split(dir).join('the uploaded directory'), {
        ...error.details,
        field,
      });
    }
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The loader names files under the temporary directory; the caller knows them by the names they sent. */
function asSent(error: ConfigError, dir: string): ConfigError {
  const strip = (text: string) => text.split(`${dir}/`).join('').split(dir).join('.claude');
  const problems = Array.isArray(error.details.problems)
    ? (error.details.problems as { file: string }[]).map((p) => ({ ...p, file: strip(p.file) }))
    : error.details.problems;
  return new ConfigError(strip(error.message).replace(/; run `llm-rules validate .*`.*$/, '.'), {
    ...error.details,
    problems,
  });
}
