/** The one format every benchmark prints: `BENCH <name> <value> <unit>`. */
export function bench(name: string, value: number, unit: string): void {
  const shown = Number.isInteger(value) ? String(value) : value.toPrecision(4);
  console.log(`BENCH ${name} ${shown} ${unit}`);
}
