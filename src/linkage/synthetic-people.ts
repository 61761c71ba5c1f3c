// Synthetic person records for the matcher's tests and benchmark: children in households across a
// region, each recorded by several agencies with the errors agencies make — typos, nicknames,
// names swapped, surnames changed or double-barrelled, day and month swapped, a digit of the date
// wrong, postcodes missing or out of date, dates in three formats. Siblings share a surname and an
// address and twins a date of birth, so the matcher meets the hard negatives it will meet in real
// records. Seeded: the same seed gives the same records. No real person is in here.
import { createIdentifierGenerator } from '../domain/identifiers.ts';
import { seededRandom } from '../domain/seeded-random.ts';
import type { PersonRecord } from './person.ts';

export type SyntheticRecord = PersonRecord & { /** the person the record is of */ cluster: string };

// Popular names of children born in England and Wales 2000–2020 (ONS baby names lists), roughly in
// order of popularity so a Zipf weighting makes "Oliver" common and "Zuzanna" rare.
const BOYS = [
  'Oliver', 'Jack', 'Harry', 'George', 'Noah', 'Charlie', 'Jacob', 'Alfie', 'Freddie', 'Oscar', 'Leo', 'Thomas',
  'James', 'Joshua', 'William', 'Muhammad', 'Archie', 'Logan', 'Theo', 'Henry', 'Ethan', 'Daniel', 'Samuel',
  'Joseph', 'Max', 'Lucas', 'Isaac', 'Dylan', 'Alexander', 'Benjamin', 'Tyler', 'Riley', 'Jayden', 'Callum',
  'Connor', 'Lewis', 'Ryan', 'Liam', 'Kyle', 'Reece', 'Jordan', 'Luke', 'Adam', 'Ibrahim', 'Yusuf', 'Ayaan',
  'Kacper', 'Jakub', 'Kofi', 'Tobias', 'Ronan', 'Ciaran', 'Rhys', 'Owen', 'Kian', 'Declan', 'Matthew', 'Nathan',
  'Harrison', 'Edward', 'Mason', 'Finley', 'Louis', 'Sebastian', 'Elliot', 'Toby', 'Zachary', 'Jenson', 'Teddy',
  'Reuben', 'Frankie', 'Arthur', 'Harley', 'Bobby', 'Ollie', 'Rory', 'Louie', 'Ellis', 'Cameron', 'Brandon',
  'Aaron', 'Ashton', 'Bradley', 'Corey', 'Dominic', 'Felix', 'Hugo', 'Jude', 'Kai', 'Marcus', 'Mohammed',
  'Omar', 'Hamza', 'Zain', 'Ali', 'Hassan', 'Arjun', 'Rohan', 'Aarav', 'Emmanuel', 'Tomasz', 'Filip', 'Szymon',
  'Dariusz', 'Jamal', 'Tyrese', 'Deshawn', 'Malachi', 'Cian', 'Gethin', 'Dafydd',
];
const GIRLS = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Emily', 'Isabella', 'Mia', 'Poppy', 'Ella', 'Lily', 'Sophie', 'Grace',
  'Chloe', 'Jessica', 'Evie', 'Sophia', 'Ruby', 'Charlotte', 'Daisy', 'Freya', 'Ellie', 'Holly', 'Lucy', 'Megan',
  'Hannah', 'Amber', 'Leah', 'Jasmine', 'Zara', 'Aisha', 'Fatima', 'Maryam', 'Amira', 'Zoë', 'Niamh', 'Siobhan',
  'Caitlin', 'Erin', 'Shannon', 'Paige', 'Lacey', 'Skye', 'Maja', 'Zuzanna', 'Precious', 'Blessing', 'Chantelle',
  'Kayla', 'Tia', 'Aoife', 'Seren', 'Nia', 'Millie', 'Phoebe', 'Scarlett', 'Matilda', 'Rosie', 'Florence',
  'Willow', 'Harriet', 'Imogen', 'Eva', 'Layla', 'Maisie', 'Lola', 'Elsie', 'Esme', 'Georgia', 'Bethany',
  'Rebecca', 'Abigail', 'Katie', 'Lauren', 'Bethan', 'Courtney', 'Demi', 'Jade', 'Kelsey', 'Molly', 'Naomi',
  'Olive', 'Summer', 'Tegan', 'Victoria', 'Anya', 'Hafsa', 'Khadija', 'Zainab', 'Inaya', 'Priya', 'Simran',
  'Aaliyah', 'Amara', 'Chidinma', 'Abena', 'Oliwia', 'Natalia', 'Julia', 'Alicja', 'Roisin', 'Orla', 'Ffion',
  'Cerys', 'Lowri', 'Keira', 'Macy', 'Ruby-Mae', 'Lily-Rose',
];
// Common surnames in England and Wales, roughly in order of frequency; the made-up place-name
// surnames below give the long tail real surnames have (most people's surname is not a common one).
const COMMON_SURNAMES = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts',
  'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris',
  'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore', 'Clark',
  'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott', 'Phillips', 'Watson', 'Davis', 'Parker',
  'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell', 'Kelly', 'Cook', 'Carter', 'Richardson', 'Bailey',
  'Collins', 'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Richards', 'Khan', 'Marshall', 'Anderson', 'Simpson',
  'Ellis', 'Adams', 'Singh', 'Begum', 'Wilkinson', 'Foster', 'Chapman', 'Powell', 'Webb', 'Rogers', 'Gray',
  'Mason', 'Ali', 'Hunt', 'Hussain', 'Campbell', 'Matthews', 'Owen', 'Palmer', 'Holmes', 'Mills', 'Barnes',
  'Knight', 'Lloyd', 'Butler', 'Russell', 'Barker', 'Fisher', 'Stevens', 'Jenkins', 'Murray', 'Dixon', 'Harvey',
  'Ahmed', "O'Brien", 'McDonald', 'MacLeod', 'Okafor', 'Nowak', 'Kowalski', 'Mensah', 'Osei', 'Adeyemi',
  'Nguyen', 'Rahman', 'Chowdhury', 'Akhtar', 'Iqbal', 'Doherty', 'Gallagher', 'Quinn', 'Byrne', 'Achterberg',
  'Wiśniewski', 'Okonkwo', 'Fitzgerald', 'Llewellyn', 'Pritchard', 'Vaughan', 'Sheikh', 'Malik', 'Bibi',
  'Graham', 'Pearson', 'Stewart', 'Reid', 'Read', 'Reed', 'Thomson', 'Gibson', 'Hamilton', 'Hudson', 'Kennedy',
  'Lawrence', 'Newman', 'Oliver', 'Payne', 'Reynolds', 'Sutton', 'Walsh', 'Wells', 'Hayes', 'Sharma', 'Kaur',
  'Mahmood', 'Yilmaz', 'Santos', 'Silva', 'Popescu', 'Kaya', 'Abdi', 'Mohamed', 'Hassan', 'Boateng', 'Asante',
];
const PLACE_STARTS = ['Ash', 'Brad', 'Brook', 'Hart', 'Whit', 'Stan', 'Ather', 'Bur', 'Clif', 'Dun', 'Hol', 'Lang', 'Mar', 'Nor', 'Ock', 'Ped', 'Rad', 'Shel', 'Thorn', 'Wal', 'Wes', 'Yar', 'Crom', 'Ever', 'Fair', 'Gold', 'Hal', 'Kin', 'Rid', 'Sal'];
const PLACE_ENDS = ['ley', 'ford', 'field', 'well', 'ton', 'wood', 'by', 'ham', 'ridge', 'worth', 'stone', 'dale', 'combe', 'shaw', 'more'];
const SURNAMES = [...COMMON_SURNAMES, ...PLACE_STARTS.flatMap((start) => PLACE_ENDS.map((end) => start + end))];
const NICKNAMES: Record<string, string[]> = {
  William: ['Will', 'Billy'], Thomas: ['Tom', 'Tommy'], Samuel: ['Sam'], Joshua: ['Josh'], Alexander: ['Alex'],
  Benjamin: ['Ben'], Daniel: ['Dan', 'Danny'], Joseph: ['Joe', 'Joey'], Jessica: ['Jess'], Isabella: ['Bella', 'Izzy'],
  Charlotte: ['Lottie', 'Charlie'], James: ['Jamie', 'Jim'], Muhammad: ['Mohammed', 'Mohammad', 'Muhammed'],
  Frederick: ['Freddie'], Alfie: ['Alfred'], Olivia: ['Liv', 'Livvy'], Amelia: ['Millie'], Ellie: ['Eleanor'],
  Callum: ['Cal'], Zoë: ['Zoe'], Niamh: ['Neve'], Sophia: ['Sofia'], Matthew: ['Matt'],
};
// Postcode areas of a region and the towns they are named for.
const AREAS: [string, string][] = [
  ['NG', 'Nottingham'], ['DE', 'Derby'], ['LE', 'Leicester'], ['S', 'Sheffield'], ['B', 'Birmingham'],
  ['M', 'Manchester'], ['LS', 'Leeds'], ['BS', 'Bristol'], ['CF', 'Cardiff'], ['L', 'Liverpool'],
];
const STREETS = ['High', 'Church', 'Station', 'Victoria', 'Park', 'Mill', 'Queen', 'King', 'London', 'Manor', 'Grange', 'Albert', 'York', 'Springfield', 'Meadow', 'Oak', 'Willow', 'Chestnut', 'Windsor', 'Clarence'];
const STREET_TYPES: [string, string][] = [['Road', 'Rd'], ['Street', 'St'], ['Avenue', 'Ave'], ['Lane', 'Ln'], ['Close', 'Cl'], ['Drive', 'Dr'], ['Gardens', 'Gdns']];
const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export interface SyntheticOptions {
  /** how many children (people); records are about three per child */
  people?: number;
  seed?: string | number;
  /** postcode districts per area: more districts spread the region wider */
  districtsPerArea?: number;
}

interface Person {
  cluster: string;
  first: string;
  surname: string;
  sex: 'F' | 'M';
  dob: { year: number; month: number; day: number };
  postcode: string;
  address: string;
  city: string;
  nhs: string;
  upn: string;
}

/** Synthetic records of children, shuffled so one child's records are not adjacent. */
export function syntheticPeople(options: SyntheticOptions = {}): SyntheticRecord[] {
  const count = options.people ?? 1000;
  const random = seededRandom(options.seed ?? 'reachable-synthetic-people');
  const identifiers = createIdentifierGenerator(`${options.seed ?? 'reachable-synthetic-people'}-ids`);
  const districts = options.districtsPerArea ?? 12;
  const chance = (p: number) => random() < p;
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)];
  // Zipf-like: the k-th name is chosen with weight 1/k^0.6.
  const zipf = (list: readonly string[]) => {
    const weights = list.map((_, k) => 1 / (k + 1) ** 0.6);
    const total = weights.reduce((x, y) => x + y, 0);
    return () => {
      let r = random() * total;
      for (let k = 0; k < list.length; k++) if ((r -= weights[k]) < 0) return list[k];
      return list[list.length - 1];
    };
  };
  const boy = zipf(BOYS);
  const girl = zipf(GIRLS);
  const family = zipf(SURNAMES);
  const randomPostcode = (area: string) => `${area}${1 + int(districts)} ${int(10)}${pick([...UNIT_LETTERS])}${pick([...UNIT_LETTERS])}`;
  const randomAddress = () => {
    const [type] = pick(STREET_TYPES);
    return `${1 + int(120)} ${pick(STREETS)} ${type}`;
  };

  const people: Person[] = [];
  while (people.length < count) {
    // A household: one surname (sometimes double-barrelled), one address, one to four children.
    let surname = family();
    if (chance(0.04)) surname = `${surname}-${family()}`;
    const [area, city] = pick(AREAS);
    const postcode = randomPostcode(area);
    const address = randomAddress();
    const children = 1 + Math.min(3, Math.floor(-Math.log(1 - random()) / 0.9));
    let year = 2003 + int(16);
    const taken = new Set<string>();
    for (let c = 0; c < children && people.length < count; c++) {
      const sex = chance(0.5) ? 'F' : 'M';
      const twin = c > 0 && chance(0.04);
      const dob = twin ? { ...people[people.length - 1].dob } : { year, month: 1 + int(12), day: 1 + int(28) };
      year += 1 + int(3);
      // Parents do not give two children one first name.
      let first = sex === 'F' ? girl() : boy();
      while (taken.has(first)) first = sex === 'F' ? girl() : boy();
      taken.add(first);
      people.push({
        cluster: `p${people.length}`, first, surname, sex, dob, postcode, address, city,
        nhs: identifiers.nhsNumber(), upn: identifiers.upn(),
      });
    }
  }

  const typo = (word: string): string => {
    if (word.length < 3) return word;
    const i = 1 + int(word.length - 1);
    switch (int(4)) {
      case 0: return word.slice(0, i) + pick([...LETTERS]) + word.slice(i);
      case 1: return word.slice(0, i) + word.slice(i + 1);
      case 2: return word.slice(0, i) + pick([...LETTERS]) + word.slice(i + 1);
      default: return i < word.length - 1 ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : word;
    }
  };
  const two = (n: number) => String(n).padStart(2, '0');
  const writeDate = (d: Person['dob']) => {
    const roll = random();
    if (roll < 0.5) return `${d.year}-${two(d.month)}-${two(d.day)}`;
    if (roll < 0.85) return `${two(d.day)}/${two(d.month)}/${d.year}`;
    return `${d.year}${two(d.month)}${two(d.day)}`;
  };
  const recordOf = (p: Person, serial: number): SyntheticRecord => {
    let first = p.first;
    let surname = p.surname;
    if (chance(0.06) && NICKNAMES[first]) first = pick(NICKNAMES[first]);
    if (chance(0.08)) first = typo(first);
    if (chance(0.08)) surname = typo(surname);
    if (chance(0.02)) surname = `${surname}-${family()}`;
    if (chance(0.3)) surname = surname.toUpperCase();
    if (chance(0.03)) [first, surname] = [surname, first];
    const dob = { ...p.dob };
    const dobRoll = random();
    if (dobRoll < 0.04 && dob.day <= 12 && dob.day !== dob.month) [dob.day, dob.month] = [dob.month, dob.day];
    else if (dobRoll < 0.08) {
      const part = int(3);
      if (part === 0) dob.day = Math.min(28, Math.max(1, dob.day + pick([-1, 1, 10, -10])));
      else if (part === 1) dob.month = 1 + ((dob.month + int(11)) % 12);
      else dob.year += pick([-1, 1]);
    }
    let postcode: string | null = p.postcode;
    let address: string | null = p.address;
    if (chance(0.1)) {
      // Moved house since this agency last saw the child.
      postcode = randomPostcode(pick(AREAS)[0]);
      address = randomAddress();
    }
    if (chance(0.03)) postcode = typo(postcode);
    if (chance(0.2)) postcode = postcode.replace(' ', '').toLowerCase();
    if (chance(0.3)) postcode = null;
    if (address && chance(0.5)) for (const [long, short] of STREET_TYPES) address = address.replace(long, short);
    if (chance(0.5)) address = null;
    const nhs = chance(0.3) ? (chance(0.03) ? typo(p.nhs) : p.nhs) : null;
    return {
      id: `r${serial}`,
      cluster: p.cluster,
      first_name: chance(0.04) ? null : first,
      surname: chance(0.02) ? null : surname,
      dob: chance(0.03) ? null : writeDate(dob),
      sex: chance(0.25) ? null : chance(0.01) ? (p.sex === 'F' ? 'M' : 'F') : pick(p.sex === 'F' ? ['F', 'Female', '2'] : ['M', 'Male', '1']),
      postcode,
      address,
      city: chance(0.3) ? (chance(0.05) ? typo(p.city) : p.city) : null,
      email: null,
      nhs,
      upn: chance(0.25) ? p.upn : null,
    };
  };

  const records: SyntheticRecord[] = [];
  for (const p of people) {
    // One to five records per child, about three on average: agencies that know the child.
    const copies = 1 + Math.min(4, Math.floor(random() * 5 * (0.6 + random() * 0.6)));
    for (let k = 0; k < copies; k++) records.push(recordOf(p, records.length));
  }
  for (let i = records.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [records[i], records[j]] = [records[j], records[i]];
  }
  return records;
}
