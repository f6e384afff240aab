// Looks a key up in a constant table without reaching Object.prototype: user input such as a shell
// command named `toString` or `constructor` must find nothing, not an inherited function.
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
