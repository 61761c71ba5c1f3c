// The replay benchmark's county: the generator lives in src/synth/county.ts (shared with
// `reachable synth`); its defaults (20,000 children, 50 events each, five years, seed 2019) are the
// county every earlier replay figure was measured on, with referrals to children's social care added
// since session 18 (about 10% more events: docs/performance.md).
export { syntheticCounty, type County, type CountyOptions } from '../src/synth/county.ts';
