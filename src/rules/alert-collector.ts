// Collects a replay's alerts and puts them in contract order: by raisedAt; ties by child, catalogue
// order, then id — the same order whichever way the alerts were evaluated (all at once, or per child
// plus context by the server). A county replay raises most of a million alerts, so records become
// contract-2 alerts as each child finishes (nothing piles up), and the final order comes from a
// native numeric sort and a counting pass rather than a million comparator calls.
import type { Alert } from '../domain/alert.ts';
import { formatLondon } from './calendar/london-clock.ts';
import { RULE_ORDER } from './catalogue.ts';
import type { AlertRecord } from './rule.ts';

/** Rule positions fit in 6 bits of the tie-break key (the catalogue has 27 rules). */
const RULE_SLOTS = 64;

export class AlertCollector {
  private readonly alerts: Alert[] = [];
  private readonly raised: number[] = [];
  private readonly keys: number[] = [];
  private readonly formatted = new Map<number, string>();

  constructor(
    private readonly asOfMs: number,
    private readonly version: string,
  ) {}

  // Many alerts share instants (09:00 on a day, the end of a working day): print each once.
  private readonly format = (ms: number): string => {
    let text = this.formatted.get(ms);
    if (text === undefined) this.formatted.set(ms, (text = formatLondon(ms)));
    return text;
  };

  /** `rank`: the child's place among the children by ref (alerts about a context, with no child: last). */
  add(records: readonly AlertRecord[], rank: (child: string | null) => number): void {
    // Ids are natural keys; only duplicate source refs could repeat one, and those stay within one batch.
    const ids = records.length > 1 ? new Set<string>() : null;
    for (const record of records) {
      const alert = record.toAlert(this.asOfMs, this.version, this.format);
      if (ids) {
        if (ids.has(alert.id)) {
          let n = 2;
          while (ids.has(`${alert.id}#${n}`)) n++;
          alert.id = `${alert.id}#${n}`;
        }
        ids.add(alert.id);
      }
      this.alerts.push(alert);
      this.raised.push(record.raisedMs);
      this.keys.push(rank(record.child) * RULE_SLOTS + RULE_ORDER.get(record.rule.code)!);
    }
  }

  ordered(): Alert[] {
    const { alerts, raised, keys } = this;
    const n = alerts.length;
    // Distinct instants in order (a native sort, no comparator), then a stable counting pass by instant.
    const instants = Float64Array.from(raised).sort();
    const slot = new Map<number, number>();
    let distinct = 0;
    for (let i = 0; i < n; i++) if (i === 0 || instants[i] !== instants[i - 1]) slot.set(instants[i], distinct++);
    const start = new Int32Array(distinct + 1);
    const slots = new Int32Array(n);
    for (let i = 0; i < n; i++) start[(slots[i] = slot.get(raised[i])!) + 1]++;
    for (let s = 0; s < distinct; s++) start[s + 1] += start[s];
    const order = new Int32Array(n);
    const fill = start.slice(0, distinct);
    for (let i = 0; i < n; i++) order[fill[slots[i]]++] = i;
    // Within an instant, order by key then id; most instants already are (children come in rank order).
    const byKeyThenId = (a: number, b: number) => keys[a] - keys[b] || (alerts[a].id < alerts[b].id ? -1 : alerts[a].id > alerts[b].id ? 1 : 0);
    for (let s = 0; s < distinct; s++) {
      const from = start[s];
      const to = start[s + 1];
      let sorted = true;
      for (let k = from + 1; k < to && sorted; k++) sorted = byKeyThenId(order[k - 1], order[k]) < 0;
      if (!sorted) order.subarray(from, to).sort(byKeyThenId);
    }
    const out = new Array<Alert>(n);
    for (let k = 0; k < n; k++) out[k] = alerts[order[k]];
    return out;
  }
}
