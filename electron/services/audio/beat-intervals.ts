/**
 * The typical beat interval of a beat list: the mean of the middle half of its sorted intervals. Robust to a
 * skipped or doubled beat and not quantised to whole frames; shared by the DP tracker and the network tracker so
 * both report tempo the same way.
 */
export function typicalInterval(beats: readonly number[]): number | undefined {
  const sorted = beats
    .slice(1)
    .map((b, i) => b - beats[i]!)
    .sort((a, b) => a - b);
  const quarter = Math.floor(sorted.length / 4);
  const middle = sorted.slice(quarter, Math.max(quarter + 1, Math.ceil((sorted.length * 3) / 4)));
  return middle.length ? middle.reduce((a, b) => a + b, 0) / middle.length : undefined;
}
