// What the database benchmarks share: a statement on the server outside any scratch database
// (create and drop it), and a spread of timings read as median and 95th percentile.
import pg from 'pg';

export interface Spread {
  median: number;
  p95: number;
  runs: number;
}

export const spread = (times: number[]): Spread => {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { median, p95: sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))], runs: sorted.length };
};

export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
