// Collects a replay's alerts and puts them in contract order: by raisedAt; ties by child, catalogue
// order, then id — the same order whichever way the alerts were evaluated (all at once, or per child
// plus context by the server). A county replay raises most of a million alerts, so records become
// contract-2 alerts as each child finishes (nothing piles up), and the final order comes from a
// stable radix sort on the instant rather than a million comparator calls.
import type { Alert } from '../domain/alert.ts';
import { RULE_ORDER } from './catalogue.ts';
import type { AlertRecord } from './rule.ts';

/** Rule positions fit in 6 bits of the tie-break key (the catalogue has 27 rules). */
const RULE_SLOTS = 64;

export class AlertCollector {
  /** Alerts by the rank of their child (context alerts without a child in the last batch). */
  private readonly batches: Array<{ alerts: Alert[]; raised: number[]; keys: number[] }> = [];

  constructor(
    private readonly asOfMs: number,
    private readonly version: string,
  ) {}

  /** `rank`: the child's place among the children by ref (alerts about a context, with no child: last). */
  add(records: readonly AlertRecord[], rank: (child: string | null) => number): void {
    for (const record of records) {
      const alert = record.toAlert(this.asOfMs, this.version);
      const r = rank(alert.child);
      const batch = (this.batches[r] ??= { alerts: [], raised: [], keys: [] });
      batch.alerts.push(alert);
      batch.raised.push(record.raisedMs);
      batch.keys.push(r * RULE_SLOTS + RULE_ORDER.get(record.rule.code)!);
    }
  }

  ordered(): Alert[] {
    let n = 0;
    for (const batch of this.batches) if (batch) n += batch.alerts.length;
    const alerts = new Array<Alert>(n);
    const raised = new Float64Array(n);
    const keys = new Int32Array(n);
    // Children in rank order, each child's alerts together: within an instant they are then nearly
    // always in order already, and the stable sort by instant keeps that order.
    let at = 0;
    for (const batch of this.batches) {
      if (!batch) continue;
      for (let i = 0; i < batch.alerts.length; i++, at++) {
        alerts[at] = batch.alerts[i];
        raised[at] = batch.raised[i];
        keys[at] = batch.keys[i];
      }
    }
    const order = instantOrder(raised);
    // Within an instant, order by key then id; check first, sort only what is out of order.
    const byKeyThenId = (a: number, b: number) => keys[a] - keys[b] || (alerts[a].id < alerts[b].id ? -1 : alerts[a].id > alerts[b].id ? 1 : 0);
    for (let from = 0; from < n; ) {
      let to = from + 1;
      while (to < n && raised[order[to]] === raised[order[from]]) to++;
      for (let k = from + 1; k < to; k++) {
        const a = order[k - 1];
        const b = order[k];
        if (keys[a] < keys[b] || (keys[a] === keys[b] && alerts[a].id < alerts[b].id)) continue;
        order.subarray(from, to).sort(byKeyThenId);
        break;
      }
      from = to;
    }
    const out = new Array<Alert>(n);
    for (let k = 0; k < n; k++) out[k] = alerts[order[k]];
    return out;
  }
}

const RADIX_BITS = 14;
const RADIX = 1 << RADIX_BITS;

/** Up to this many instants are ordered by comparison (see instantOrder). */
const SMALL = 512;

/**
 * Indices of `instants` (epoch ms, whole numbers) in time order, equal instants in their given order:
 * a least-significant-digit radix sort, three passes of 14 bits (instants up to 139 years apart),
 * or a comparison sort for a few hundred.
 */
export function instantOrder(instants: ArrayLike<number>): Int32Array {
  const n = instants.length;
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (instants[i] < min) min = instants[i];
    if (instants[i] > max) max = instants[i];
  }
  let whole = true;
  for (let i = 0; i < n && whole; i++) whole = Number.isInteger(instants[i]);
  // A few hundred instants (one child's alerts, as the server and a feed's rules evaluate them): a
  // comparison sort, where the radix sort's three passes over 16,384 buckets cost more than the sort.
  if (n <= SMALL || !whole || !(max - min < 2 ** (3 * RADIX_BITS))) {
    // Beyond the radix range (or not whole milliseconds): a comparison sort, stable like the radix one.
    return Int32Array.from(Array.from(order).sort((a, b) => instants[a] - instants[b] || a - b));
  }
  // The three 14-bit digits of each instant's distance from the earliest, by exact integer steps.
  const digits = [new Int32Array(n), new Int32Array(n), new Int32Array(n)];
  for (let i = 0; i < n; i++) {
    let x = instants[i] - min;
    for (let d = 0; d < 3; d++) {
      const digit = x % RADIX;
      digits[d][i] = digit;
      x = (x - digit) / RADIX;
    }
  }
  let next = new Int32Array(n);
  const count = new Int32Array(RADIX);
  for (const digit of digits) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[digit[i]]++;
    for (let d = 0, sum = 0; d < RADIX; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const i = order[k];
      next[count[digit[i]]++] = i;
    }
    [order, next] = [next, order];
  }
  return order;
}
