// Finds credentials in free text (prompts): provider key formats, private keys, and high-entropy
// values assigned to secret-sounding names. Findings carry positions and kinds, never the secret.
import { parseApiKey } from '../credentials/api-key-format.ts';

export interface CredentialFinding {
  kind: string;
  /** Offset of the match in the scanned text. */
  index: number;
  length: number;
}

interface Detector {
  kind: string;
  pattern: RegExp;
  /** Extra check on the matched value (e.g. entropy, checksum). */
  accept?: (value: string) => boolean;
  /** Which capture group holds the credential (default: the whole match). */
  group?: number;
}

const DETECTORS: Detector[] = [
  { kind: 'Anthropic API key', pattern: /\bsk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_-]{20,}/g },
  { kind: 'OpenAI API key', pattern: /\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}/g },
  { kind: 'AWS access key id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  {
    kind: 'AWS secret access key',
    pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
  },
  { kind: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g },
  { kind: 'GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { kind: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  { kind: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: 'Stripe secret key', pattern: /\b[rs]k_live_[A-Za-z0-9]{20,}\b/g },
  {
    kind: 'private key',
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----/g,
  },
  {
    kind: 'LLM-RULES API key',
    pattern: /\bllmr_[0-9A-Za-z]{44}_[0-9A-Za-z]{6}\b/g,
    accept: (value) => parseApiKey(value)?.checksumValid === true,
  },
  {
    kind: 'secret assignment',
    pattern:
      /(?<![A-Za-z0-9])(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret|auth[_-]?token)["']?\s*[:=]\s*["']?([^\s"'`,;]{12,})/gi,
    group: 1,
    accept: looksRandom,
  },
];

export function scanForCredentials(text: string): CredentialFinding[] {
  const findings: CredentialFinding[] = [];
  for (const detector of DETECTORS) {
    for (const match of text.matchAll(detector.pattern)) {
      const value = detector.group ? match[detector.group] : match[0];
      if (value === undefined || (detector.accept && !detector.accept(value))) continue;
      const index = (match.index ?? 0) + (detector.group ? match[0].lastIndexOf(value) : 0);
      if (findings.some((f) => index < f.index + f.length && f.index < index + value.length)) continue;
      findings.push({ kind: detector.kind, index, length: value.length });
    }
  }
  return findings.sort((a, b) => a.index - b.index);
}

/** A human reason that names what was found and where, without repeating it. */
export function describeFindings(findings: CredentialFinding[]): string {
  const kinds = [...new Set(findings.map((f) => f.kind))];
  const where = findings.map((f) => f.index).join(', ');
  return `The prompt contains what looks like ${kinds.length === 1 ? `a ${kinds[0]}` : `credentials (${kinds.join(', ')})`} at character ${where}. Remove it, and rotate the credential if it is real; prompts leave your machine.`;
}

/** Placeholders (`changeme`, `xxxxxxxx`, `${VAR}`) are low-entropy or single-class; real secrets are not. */
function looksRandom(value: string): boolean {
  if (/^\$\{?[A-Z_]+\}?$/.test(value) || /^<.*>$/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((c) => c.test(value)).length;
  return classes >= 2 && shannonEntropy(value) >= 3.5;
}

function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}
