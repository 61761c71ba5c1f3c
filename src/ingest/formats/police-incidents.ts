// Police incidents: Reachable's own layout for forces without a national format to send. One row
// per child recorded on an incident (a nominal), so one incident with two children is two rows.
// The place, phone and vehicle become the event's links: contexts of harm in their own right,
// which is how an address or a number seen around several children comes to light (Jacob's review:
// "those who exploited Jacob were untouchable: their details remained unknown to all agencies").
import { normalisePhone, normaliseRegistration } from '../../domain/context.ts';
import type { EventLink } from '../../domain/event.ts';
import { keyOfColumns, RowCheck, type ImportFormat, type MappedRow } from '../format.ts';
import {
  code, dateOrTime, dayOf, personName, personPostcode, personSex, placePostcode, quoted, shortText, sourceId, withoutEmpty, yesNo,
} from './source-values.ts';

const ROLES = ['suspect', 'victim', 'witness'] as const;
const CATEGORIES = ['drug_supply', 'drug_possession', 'weapon', 'violence', 'robbery', 'sexual', 'other'] as const;

export const policeIncidents: ImportFormat = {
  name: 'police-incidents',
  title: 'Police incidents (Reachable layout)',
  agency: 'police',
  columns: [
    { name: 'INCIDENT_REF', required: true, description: "The force's reference for the incident" },
    { name: 'NOMINAL_ID', required: true, description: "The force's id for the child (the nominal record)" },
    { name: 'FORENAME', required: true, description: "The child's forename" },
    { name: 'SURNAME', required: true, description: "The child's surname" },
    { name: 'DOB', required: true, description: 'Date of birth' },
    { name: 'SEX', required: false, description: 'M, F or U (not known)' },
    { name: 'POSTCODE', required: false, description: "The child's home postcode" },
    { name: 'OCCURRED', required: true, description: 'When it happened: a date, or a date and time (UK time unless an offset is given)' },
    { name: 'ROLE', required: true, description: "The child's role: suspect, victim or witness" },
    { name: 'CATEGORY', required: true, description: 'drug_supply, drug_possession, weapon, violence, robbery, sexual or other' },
    { name: 'LOCATION', required: false, description: 'Where it happened: a place name or address' },
    { name: 'LOCATION_POSTCODE', required: false, description: 'The postcode of where it happened' },
    { name: 'PHONE', required: false, description: 'A phone number recorded with the incident' },
    { name: 'VEHICLE', required: false, description: 'A vehicle registration recorded with the incident' },
    { name: 'RESTRICTED', required: false, description: 'Y: other agencies see only that a restricted entry exists and whom to contact' },
  ],
  recordKey: keyOfColumns('INCIDENT_REF', 'NOMINAL_ID'),
  map(record) {
    if (record.kind !== 'csv') return { ok: false, problems: [{ path: 'line', message: 'expected a CSV record' }] };
    const row = new RowCheck(record.values);
    const incident = sourceId(row, 'INCIDENT_REF');
    const nominal = sourceId(row, 'NOMINAL_ID');
    const firstName = personName(row, 'FORENAME', true);
    const surname = personName(row, 'SURNAME', true);
    const dob = row.date('DOB', true);
    const sex = personSex(row, 'SEX');
    const postcode = personPostcode(row, 'POSTCODE');
    const at = dateOrTime(row, 'OCCURRED', true);
    if (at && dob && dayOf(at) < dob) row.fail('OCCURRED', `OCCURRED ${dayOf(at)} is before the date of birth ${dob}`);
    const role = code(row, 'ROLE', ROLES, true);
    const category = code(row, 'CATEGORY', CATEGORIES, true, { drugs_supply: 'drug_supply', drugs_possession: 'drug_possession', weapons: 'weapon' });
    const links = incidentLinks(row);
    const restricted = yesNo(row, 'RESTRICTED');
    return row.outcome(() => {
      const event: MappedRow['events'][number] = {
        type: 'police.incident', at: at!, agency: 'police', ref: `police-incident:${incident}:${nominal}`,
        details: { role: role!, category: category! },
      };
      if (links.length) event.links = links;
      if (restricted) event.sensitivity = 'restricted';
      return [{ person: withoutEmpty({ sourceId: nominal, sourceKind: 'police' as const, firstName, surname, dateOfBirth: dob, sex, postcode }), events: [event] }];
    });
  },
};

/** A place name as an identity: case, punctuation and spacing are not part of it. */
export const placeKey = (name: string) => name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

function incidentLinks(row: RowCheck): EventLink[] {
  const links: EventLink[] = [];
  const place = shortText(row, 'LOCATION', 150);
  const placeCode = placePostcode(row, 'LOCATION_POSTCODE');
  // the postcode first: "Flat 3" is many places, "ZZ1 4MC flat 3" is one
  const key = [placeCode?.toLowerCase(), place ? placeKey(place) : undefined].filter(Boolean).join(' ');
  if (place && !placeKey(place) && !placeCode) row.fail('LOCATION', `LOCATION ${quoted(place)} has no letters or numbers to name a place by`);
  else if (key) links.push({ kind: 'location', ref: key, label: place ?? placeCode! });

  const phone = shortText(row, 'PHONE', 50);
  if (phone) {
    const number = normalisePhone(phone);
    if (number) links.push({ kind: 'phone', ref: number });
    else row.fail('PHONE', `PHONE ${quoted(phone)} has no number in it`);
  }

  const vehicle = shortText(row, 'VEHICLE', 20);
  if (vehicle) {
    const registration = normaliseRegistration(vehicle);
    if (registration) links.push({ kind: 'vehicle', ref: registration });
    else row.fail('VEHICLE', `VEHICLE ${quoted(vehicle)} has no letters or numbers: it is not a registration`);
  }
  return links;
}
