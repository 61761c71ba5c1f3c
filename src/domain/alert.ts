// Contract 2 (`reachable-alert/1`, ../shared/contract/rules.md): what a rule raises.
import type { Agency } from './event.ts';

export const SEVERITIES = ['info', 'warning', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, high: 2, critical: 3 };

export interface AlertSubject {
  kind: 'person' | 'location' | 'phone' | 'vehicle' | 'group';
  ref: string;
}

export interface Alert {
  id: string;
  rule: string;
  child: string | null;
  subject: AlertSubject | null;
  severity: Severity;
  raisedAt: string;
  dueBy: string | null;
  status: 'open' | 'resolved';
  overdue: boolean;
  resolvedAt: string | null;
  resolvedBy: string | null;
  evidence: string[];
  details: Record<string, unknown>;
  owner: Agency;
  message: string;
  actions: string[];
}
