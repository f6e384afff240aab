// The API key format `llmr_<id><secret>_<checksum>`: the id is public (listings, logs), the checksum
// lets anyone reject a mistyped or truncated key offline, before any storage lookup.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const API_KEY_PREFIX = 'llmr_';
export const KEY_ID_LENGTH = 12;
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const KEY_PATTERN = new RegExp(
  `^${API_KEY_PREFIX}([0-9A-Za-z]{${KEY_ID_LENGTH}})([0-9A-Za-z]{${SECRET_LENGTH}})_([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);

const KEY_ID_PATTERN = new RegExp(`^[0-9A-Za-z]{${KEY_ID_LENGTH}}$`);

/** True for the public id of a key: what budgets (`scope: key:<id>`) and listings refer to a key by. */
export function isKeyId(text: string): boolean {
  return KEY_ID_PATTERN.test(text);
}

export interface ParsedApiKey {
  id: string;
  checksumValid: boolean;
}

/** A fresh key; `randomBytes` is injected so the core stays free of I/O (pass Web Crypto's). */
export function generateApiKey(randomBytes: (n: number) => Uint8Array): { id: string; plaintext: string } {
  const random = randomBase62(KEY_ID_LENGTH + SECRET_LENGTH, randomBytes);
  const body = `${API_KEY_PREFIX}${random}`;
  return { id: random.slice(0, KEY_ID_LENGTH), plaintext: `${body}_${checksumOf(body)}` };
}

/** Undefined when the text is not shaped like a key at all. */
export function parseApiKey(text: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(text);
  if (!match) return undefined;
  const [, id, secret, checksum] = match as unknown as [string, string, string, string];
  return { id, checksumValid: checksumOf(`${API_KEY_PREFIX}${id}${secret}`) === checksum };
}

/** The part of a key that is safe to show: prefix and id. */
export function displayKeyId(id: string): string {
  return `${API_KEY_PREFIX}${id}…`;
}

function randomBase62(length: number, randomBytes: (n: number) => Uint8Array): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // Rejection sampling: 248 = 62 * 4, so the accepted bytes map uniformly onto the alphabet.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function checksumOf(text: string): string {
  let value = crc32(text);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
