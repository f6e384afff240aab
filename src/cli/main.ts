// Dispatches `llm-rules <command>` to one file per command.
export async function main(argv: string[]): Promise<number> {
  console.log('llm-rules', argv.join(' '));
  return 0;
}
