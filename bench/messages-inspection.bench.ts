// What the gateway reads of each /v1/messages body before forwarding it (model, stream, max_tokens, an
// input estimate), on bodies the size of a Claude Code session's first request, its middle and a long
// one, beside its baseline: JSON.parse of the whole body, which is how it was read until 2026-12-06 (the
// bulk of what that cost: it also ran a regular expression and a line-feed search over the text).
import { inspectMessagesRequest } from '../src/features/gateway/messages-request.ts';
import { measure, report } from './measure.ts';
import { claudeCodeBody } from './support/claude-code-body.ts';

export async function run(): Promise<void> {
  const rows = [];
  const notes = [];
  const bodies: [Buffer, string][] = [50, 250, 1000].map((kilobytes) => [claudeCodeBody(kilobytes), '']);
  // The same 250 KB with a few letters outside ASCII (a tool described in French): those blocks of the
  // body are decoded to count its characters.
  const accented = Buffer.from(
    claudeCodeBody(250).toString('utf8').replace('"Tool3"', '"Tool3 — café, thé"'),
  );
  bodies.splice(2, 0, [accented, ', accented']);
  for (const [body, kind] of bodies) {
    const kilobytes = body.length / 1024;
    const size = `${Math.round(kilobytes)} KB${kind}`;
    const iterations = Math.max(300, Math.round(300_000 / kilobytes));
    const baseline = await measure(`baseline: JSON.parse, ${size}`, iterations, () =>
      JSON.parse(body.toString('utf8')),
    );
    const ours = await measure(`inspectMessagesRequest, ${size}`, iterations, () =>
      inspectMessagesRequest(body),
    );
    rows.push(baseline, ours);
    notes.push(`${size}: ${(baseline.p50Us / ours.p50Us).toFixed(1)}× less than the parse at p50`);
  }
  report(
    'Reading a Claude Code request before forwarding it (compact JSON, code-like conversation)',
    rows,
    `${notes.join('; ')}. The gateway does this once per model call, on its event loop.`,
  );
}
