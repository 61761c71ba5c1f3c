// The exploitation screening tool (issue 4): the indicator set, pre-fill from the chronology, and
// the score with its reasons. Pure: no I/O; the service reads the chronology and records the result.
export * from './indicator-set.ts';
export * from './default-set.ts';
export * from './prefill.ts';
export * from './score.ts';
