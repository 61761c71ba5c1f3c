// Every import format by its `--format` name.
import type { ImportFormat } from '../format.ts';
import { ssda903Header, ssda903Missing } from './ssda903.ts';

export const IMPORT_FORMATS: readonly ImportFormat[] = [ssda903Header, ssda903Missing];

export const formatNamed = (name: string): ImportFormat | undefined => IMPORT_FORMATS.find((f) => f.name === name);
