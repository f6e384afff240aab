// Parses one YAML or JSON config file into a document that still knows where every value came from.

import { type Document, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import { isSecretField } from '../core/secrets/secret-field.ts';
import {
  type FieldPath,
  formatFieldPath,
  makeProblem,
  type ProblemList,
  type ProblemOptions,
} from './config-problem.ts';
import { type EnvMap, interpolateEnv } from './env-interpolation.ts';
import { findJsonSyntaxError } from './json-syntax.ts';
import { findNode } from './locate-node.ts';

export interface SourceFile {
  /** As shown to the user (`examples/acme/.claude/config.yaml`). */
  file: string;
  /** Relative to the `.claude/` directory, forward slashes. */
  rel: string;
  doc: Document;
  lines: LineCounter;
  /** Added to every line: frontmatter parsed out of a markdown file starts below the `---`. */
  lineOffset: number;
  /** The parsed, env-interpolated value. */
  value: unknown;
  /** Field paths already reported (a missing env var), so validation does not report them again. */
  reported: Set<string>;
}

export interface ParseOptions {
  file: string;
  rel: string;
  env: EnvMap;
  json?: boolean;
  lineOffset?: number;
}

/** Parses `text`; returns undefined (with problems reported) when the syntax is broken. */
export function parseSource(
  text: string,
  options: ParseOptions,
  problems: ProblemList,
): SourceFile | undefined {
  const lineOffset = options.lineOffset ?? 0;
  const lines = new LineCounter();
  if (options.json && !reportJsonSyntax(text, options.file, problems)) return undefined;
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, keepSourceTokens: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
      const message = error.message.split(/ at line \d+, column \d+/)[0] ?? error.message;
      problems.add(
        makeProblem(options.file, pos.line + lineOffset, pos.col, '', `YAML syntax error: ${message}`, {
          hint: yamlHint(error.code),
        }),
      );
    }
    return undefined;
  }
  const source: SourceFile = {
    file: options.file,
    rel: options.rel,
    doc,
    lines,
    lineOffset,
    value: undefined,
    reported: new Set(),
  };
  interpolateDocument(source, text, options.env, problems);
  source.value = doc.toJS({ maxAliasCount: 1000 });
  return source;
}

function yamlHint(code: string): string | undefined {
  if (code === 'DUPLICATE_KEY') return 'each key may appear once per mapping; remove or merge the duplicate';
  if (code === 'TAB_AS_INDENT') return 'indent with spaces, not tabs';
  if (code === 'BAD_INDENT' || code === 'MISSING_CHAR') return 'check the indentation and closing brackets';
  return undefined;
}

function reportJsonSyntax(text: string, file: string, problems: ProblemList): boolean {
  const error = findJsonSyntaxError(text);
  if (!error) return true;
  const { line, column } = offsetToPosition(text, error.offset);
  problems.add(makeProblem(file, line, column, '', `JSON syntax error: ${error.message}`));
  return false;
}

function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

/** Replaces `${VAR}` in every string value (not keys) in place, reporting each missing variable where it is written. */
function interpolateDocument(source: SourceFile, text: string, env: EnvMap, problems: ProblemList): void {
  visit(source.doc, {
    Scalar(key, node, path) {
      if (key === 'key' || typeof node.value !== 'string') return;
      const result = interpolateEnv(node.value, env);
      const fieldPath = pathOfVisit(path, node);
      if (result.ok) {
        // A secret keeps its `${VAR}` reference: the bundle (stored, hashed, diffed) never holds the
        // value, and servers resolve it from their own environment when they use it.
        if (isSecretField(fieldPath.at(-1))) {
          if (result.value !== node.value) return;
          if (node.value !== '') warnLiteralSecret(source, node, fieldPath, problems);
        }
        // An unquoted `${PORT}` should stay a number once substituted, as if it had been written so.
        node.value =
          node.type === 'PLAIN' && result.value !== node.value ? plainScalar(result.value) : result.value;
        return;
      }
      const start = node.range?.[0] ?? 0;
      const raw = text.slice(start, node.range?.[1] ?? start);
      source.reported.add(formatFieldPath(fieldPath));
      for (const error of result.errors) {
        // Point at the `${` itself when the written text contains it verbatim (plain or quoted scalars).
        const needle = node.value.slice(error.index, error.index + 20).split('}')[0] ?? '';
        const at = raw.indexOf(needle);
        const pos = source.lines.linePos(at >= 0 ? start + at : start);
        problems.add(
          makeProblem(
            source.file,
            pos.line + source.lineOffset,
            pos.col,
            formatFieldPath(fieldPath),
            error.message,
            {
              hint: error.hint,
            },
          ),
        );
      }
    },
  });
}

function warnLiteralSecret(
  source: SourceFile,
  node: { range?: unknown },
  fieldPath: FieldPath,
  problems: ProblemList,
): void {
  const range = node.range as [number, number] | undefined;
  const pos = source.lines.linePos(range?.[0] ?? 0);
  const name = String(fieldPath.at(-1)).toUpperCase();
  problems.add(
    makeProblem(
      source.file,
      pos.line + source.lineOffset,
      pos.col,
      formatFieldPath(fieldPath),
      'a secret is written in plain text',
      {
        severity: 'warning',
        hint: `reference an environment variable instead, e.g. \${${name}}, so the secret stays out of the repository and the bundle`,
      },
    ),
  );
}

function plainScalar(text: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** Rebuilds the field path of a visited node from its ancestors. */
function pathOfVisit(ancestors: readonly unknown[], node: unknown): FieldPath {
  const path: (string | number)[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isSeq(parent)) path.push(parent.items.indexOf(child as never));
    if (isPair(child) && isScalar(child.key)) path.push(String(child.key.value));
  }
  return path;
}

/** Where `path` is written in `source`: its key (`target: 'key'`) or its value; the nearest ancestor if absent. */
export function positionOf(
  source: SourceFile,
  path: FieldPath,
  target: 'key' | 'value' = 'value',
): { line: number; column: number; exact: boolean } {
  const found = findNode(source.doc, path);
  const node =
    target === 'key' && found.exact && found.keyNode ? found.keyNode : found.exact ? found.valueNode : null;
  const range = node?.range ?? found.keyNode?.range ?? found.valueNode?.range;
  if (!range) return { line: 1 + source.lineOffset, column: 1, exact: found.exact };
  const pos = source.lines.linePos(range[0]);
  return { line: pos.line + source.lineOffset, column: pos.col, exact: found.exact };
}

/** Reports a problem located at `path` in `source`. */
export function reportAt(
  problems: ProblemList,
  source: SourceFile,
  path: FieldPath,
  message: string,
  options: ProblemOptions & { target?: 'key' | 'value' } = {},
): void {
  const pos = positionOf(source, path, options.target);
  problems.add(makeProblem(source.file, pos.line, pos.column, formatFieldPath(path), message, options));
}
