// Faker methods a scenario may name (`{ faker: "string.hexadecimal" }`). A closed list: scenario content never
// selects arbitrary code. Shared by the scenario validator and the row generator (src/data/faker.ts).
// Every entry exists in @faker-js/faker 10 and returns a string, number, boolean or Date. FAKER_PARAMS gives each
// method's arguments as faker 10 declares them (node_modules/@faker-js/faker/dist/core-*.d.ts), with bounds on
// lengths and counts: `length: 1e9` would build a billion-character string per row.

export const FAKER_METHODS = [
  'string.alpha',
  'string.alphanumeric',
  'string.hexadecimal',
  'string.nanoid',
  'string.numeric',
  'string.uuid',
  'person.firstName',
  'person.lastName',
  'person.fullName',
  'person.jobTitle',
  'person.sex',
  'location.city',
  'location.country',
  'location.countryCode',
  'location.state',
  'location.zipCode',
  'location.streetAddress',
  'location.latitude',
  'location.longitude',
  'location.timeZone',
  'internet.ipv4',
  'internet.ipv6',
  'internet.email',
  'internet.username',
  'internet.domainName',
  'internet.url',
  'internet.mac',
  'internet.userAgent',
  'company.name',
  'commerce.productName',
  'commerce.department',
  'commerce.price',
  'date.recent',
  'date.past',
  'date.future',
  'date.birthdate',
  'number.int',
  'number.float',
  'finance.amount',
  'finance.currencyCode',
  'finance.accountNumber',
  'phone.number',
  'phone.imei',
  'lorem.word',
  'lorem.words',
  'lorem.sentence',
  'color.human',
  'vehicle.manufacturer',
  'vehicle.model',
  'vehicle.vin',
  'datatype.boolean',
] as const;

export type FakerMethod = (typeof FAKER_METHODS)[number];

/** A faker argument's type. `range`: a number of that kind, or `{ min, max }` of them (faker's NumberOrRange). */
export type FakerArgType =
  | { t: 'number'; int?: boolean; min?: number; max?: number; range?: boolean }
  | { t: 'string' }
  | { t: 'boolean' }
  | { t: 'choice'; values: readonly (string | number)[] }
  /** A string or a list of strings (characters to exclude). */
  | { t: 'strings' }
  /** A reference date: an ISO date string or epoch milliseconds. */
  | { t: 'date' };

export interface FakerParams {
  /** The one argument when given as a plain value (`args: [13]`), if the method takes one. */
  positional?: FakerArgType;
  /** The keys of its options object (`args: { length: 13 }`), if it takes one. */
  options?: Record<string, FakerArgType>;
}

/** Longest generated string, most words: a field value, not a document. */
export const FAKER_MAX_LENGTH = 10_000;
export const FAKER_MAX_WORDS = 1_000;

const length: FakerArgType = { t: 'number', int: true, min: 0, max: FAKER_MAX_LENGTH, range: true };
const words: FakerArgType = { t: 'number', int: true, min: 0, max: FAKER_MAX_WORDS, range: true };
const wordBound: FakerArgType = { t: 'number', int: true, min: 0, max: FAKER_MAX_WORDS };
const num: FakerArgType = { t: 'number' };
const digits: FakerArgType = { t: 'number', int: true, min: 0, max: 15 };
const str: FakerArgType = { t: 'string' };
const bool: FakerArgType = { t: 'boolean' };
const date: FakerArgType = { t: 'date' };
const casing: FakerArgType = { t: 'choice', values: ['upper', 'lower', 'mixed'] };
const sex: FakerArgType = { t: 'choice', values: ['female', 'male', 'generic'] };
const countryVariant: FakerArgType = { t: 'choice', values: ['alpha-2', 'alpha-3', 'numeric'] };
const probability: FakerArgType = { t: 'number', min: 0, max: 1 };
const none: FakerParams = {};
const money: FakerParams = { options: { min: num, max: num, dec: digits, symbol: str } };

export const FAKER_PARAMS: Record<FakerMethod, FakerParams> = {
  'string.alpha': { positional: length, options: { length, casing, exclude: { t: 'strings' } } },
  'string.alphanumeric': { positional: length, options: { length, casing, exclude: { t: 'strings' } } },
  'string.hexadecimal': { options: { length, casing, prefix: str } },
  // nanoid(length?: NumberOrRange): an object is the { min, max } range itself.
  'string.nanoid': { positional: length, options: { min: { ...length, range: false }, max: { ...length, range: false } } },
  'string.numeric': { positional: length, options: { length, allowLeadingZeros: bool, exclude: { t: 'strings' } } },
  'string.uuid': { options: { version: { t: 'choice', values: [4, 7] }, refDate: date } },
  'person.firstName': { positional: sex },
  'person.lastName': { positional: sex },
  'person.fullName': { options: { firstName: str, lastName: str, sex } },
  'person.jobTitle': none,
  'person.sex': none,
  'location.city': none,
  'location.country': none,
  'location.countryCode': { positional: countryVariant, options: { variant: countryVariant } },
  'location.state': { options: { abbreviated: bool } },
  // `state` needs locale data (postcode_by_state) the en locale does not have: faker throws for every value.
  'location.zipCode': { positional: str, options: { format: str } },
  'location.streetAddress': { positional: bool, options: { useFullAddress: bool } },
  'location.latitude': { options: { min: { t: 'number', min: -90, max: 90 }, max: { t: 'number', min: -90, max: 90 }, precision: digits } },
  'location.longitude': { options: { min: { t: 'number', min: -180, max: 180 }, max: { t: 'number', min: -180, max: 180 }, precision: digits } },
  'location.timeZone': none,
  'internet.ipv4': {
    options: {
      cidrBlock: str,
      network: {
        t: 'choice',
        values: ['any', 'loopback', 'private-a', 'private-b', 'private-c', 'test-net-1', 'test-net-2', 'test-net-3', 'link-local', 'multicast'],
      },
    },
  },
  'internet.ipv6': none,
  'internet.email': { options: { firstName: str, lastName: str, provider: str, allowSpecialCharacters: bool } },
  'internet.username': { options: { firstName: str, lastName: str } },
  'internet.domainName': none,
  'internet.url': { options: { appendSlash: bool, protocol: { t: 'choice', values: ['http', 'https'] } } },
  'internet.mac': { positional: str, options: { separator: str } },
  'internet.userAgent': none,
  'company.name': none,
  'commerce.productName': none,
  'commerce.department': none,
  'commerce.price': money,
  'date.recent': { options: { days: { t: 'number', min: 0, max: 3_650_000, range: true }, refDate: date } },
  'date.past': { options: { years: { t: 'number', min: 0, max: 10_000, range: true }, refDate: date } },
  'date.future': { options: { years: { t: 'number', min: 0, max: 10_000, range: true }, refDate: date } },
  'date.birthdate': {
    options: { mode: { t: 'choice', values: ['age', 'year'] }, min: { t: 'number', int: true, min: 0, max: 9_999 }, max: { t: 'number', int: true, min: 0, max: 9_999 }, refDate: date },
  },
  'number.int': { positional: num, options: { min: num, max: num, multipleOf: { t: 'number', int: true, min: 1 } } },
  'number.float': { positional: num, options: { min: num, max: num, fractionDigits: digits, multipleOf: { t: 'number', min: Number.MIN_VALUE } } },
  'finance.amount': { options: { ...money.options, autoFormat: bool } },
  'finance.currencyCode': none,
  'finance.accountNumber': { positional: { ...length, range: false }, options: { length: { ...length, range: false } } },
  'phone.number': { options: { style: { t: 'choice', values: ['human', 'national', 'international', 'mobile'] } } },
  'phone.imei': none,
  'lorem.word': { positional: { ...length, range: false }, options: { length, strategy: { t: 'choice', values: ['fail', 'closest', 'shortest', 'longest', 'any-length'] } } },
  // words(wordCount?: NumberOrRange) and sentence(…): an object is the { min, max } range itself.
  'lorem.words': { positional: words, options: { min: wordBound, max: wordBound } },
  'lorem.sentence': { positional: words, options: { min: wordBound, max: wordBound } },
  'color.human': none,
  'vehicle.manufacturer': none,
  'vehicle.model': none,
  'vehicle.vin': none,
  'datatype.boolean': { positional: probability, options: { probability } },
};
