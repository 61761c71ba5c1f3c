// Every import format by its `--format` name.
import type { ImportFormat } from '../format.ts';
import { cinFactors } from './cin-factors.ts';
import { edAttendances } from './ed-attendances.ts';
import { exclusions } from './exclusions.ts';
import { jsonl } from './jsonl.ts';
import { policeIncidents } from './police-incidents.ts';
import { ssda903Header, ssda903Missing } from './ssda903.ts';

export const IMPORT_FORMATS: readonly ImportFormat[] = [
  ssda903Header, ssda903Missing, exclusions, cinFactors, policeIncidents, edAttendances, jsonl,
];

export const formatNamed = (name: string): ImportFormat | undefined => IMPORT_FORMATS.find((f) => f.name === name);
