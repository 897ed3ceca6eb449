// Input hygiene (SPEC §5), once for the whole schema: every String and ID argument and input field
// of every operation is NFC-normalised in place and refused when it holds NUL, a lone surrogate, a
// bidi override or isolate, or only invisible characters; every date input is checked against its
// kind in dates.ts. It runs before any resolver, so a refused request writes nothing. Mutations
// whose payload has userErrors get them there; everything else gets a BAD_USER_INPUT error.
import {
  defaultFieldResolver,
  getNullableType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import {
  calendarDayProblem,
  DATE_FIELDS,
  DATE_TIME_SCALAR,
  instantProblem,
  isInstantKind,
  looksLikeDateName,
  textDateProblem,
} from './dates';
import { badUserInput, userError } from './errors';

// ---------------------------------------------------------------------------------------------------
// Pure rules

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Bidi embeddings and overrides (U+202A–202E) and isolates (U+2066–2069): they reorder what follows. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
/**
 * Whitespace, control and format characters (zero-width space and joiners, U+2060, U+FEFF, soft
 * hyphen, direction marks …) and the fillers that render as nothing (Hangul fillers, braille blank).
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cc}\p{Cf}\u034F\u115F\u1160\u3164\uFFA0\u2800]+$/u;

/** What is wrong with a text input, or null. */
export function textProblem(value: string): string | null {
  if (PRINTABLE_ASCII.test(value)) {
    return value.length > 0 && value.trim() === '' ? 'must not be only spaces' : null;
  }
  if (value.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (it holds a lone surrogate)';
  if (BIDI_CONTROL.test(value)) {
    return 'must not contain bidirectional override or isolate characters (U+202A–202E, U+2066–2069)';
  }
  if (INVISIBLE_ONLY.test(value)) return 'must not be only spaces or invisible characters';
  return null;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARACTERS = '10X98765432';

/** The birth date a national ID number holds (its characters 7–14), as 'YYYY-MM-DD'. */
export function birthDateOfNationalId(idNumber: string): string {
  return `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
}

/** What is wrong with an 18-character resident ID number (GB 11643-1999), or null. */
export function nationalIdNumberProblem(value: string): string | null {
  if (!/^\d{17}[\dX]$/.test(value)) {
    return 'must be an 18-character national ID number (17 digits and a digit or X)';
  }
  const birthDate = birthDateOfNationalId(value);
  if (calendarDayProblem(birthDate) !== null || birthDate < '1900-01-01') {
    return `holds no real birth date (characters 7–14 read ${value.slice(6, 14)})`;
  }
  let sum = 0;
  for (let index = 0; index < 17; index += 1) sum += Number(value[index]) * (ID_WEIGHTS[index] ?? 0);
  if (ID_CHECK_CHARACTERS[sum % 11] !== value[17]) {
    return 'fails the GB 11643 check character: a character was probably mistyped';
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Applying them to the schema

/** Text compared byte for byte with what was set earlier (a password hash): refused, never normalised. */
const VERBATIM_FIELDS = new Set(['password', 'currentPassword', 'newPassword']);

interface Problem {
  field: string;
  message: string;
}

/** One request's walk over one field's arguments: its problems, and the request clock when needed. */
class Inspection {
  readonly problems: Problem[] = [];
  private clock: Date | undefined;

  constructor(private readonly context: unknown) {}

  now(): Date {
    this.clock ??= (this.context as { now?: () => Date } | undefined)?.now?.() ?? new Date();
    return this.clock;
  }

  refuse(field: string, message: string): void {
    this.problems.push({ field, message: `${field} ${message}` });
  }
}

/** Checks one value at `path`; returns it, normalised (objects and lists are changed in place). */
type Inspector = (value: unknown, path: string, inspection: Inspection) => unknown;

function textInspector(name: string, where: string): Inspector {
  const verbatim = VERBATIM_FIELDS.has(name);
  const kind = DATE_FIELDS[name];
  if (kind && isInstantKind(kind)) {
    throw new Error(`${where} is text, but DATE_FIELDS (src/graphql/dates.ts) says it is a ${kind}`);
  }
  if (!kind && looksLikeDateName(name)) {
    throw new Error(`${where} looks like a date: classify "${name}" in DATE_FIELDS (src/graphql/dates.ts)`);
  }
  return (value, path, inspection) => {
    if (typeof value !== 'string') return value;
    const problem = textProblem(value);
    if (problem) {
      inspection.refuse(path, problem);
      return value;
    }
    const text = verbatim || PRINTABLE_ASCII.test(value) ? value : value.normalize('NFC');
    const dateProblem = kind ? textDateProblem(kind, text, inspection.now()) : null;
    if (dateProblem) inspection.refuse(path, dateProblem);
    return text;
  };
}

function dateTimeInspector(name: string, where: string): Inspector {
  const kind = DATE_FIELDS[name];
  if (!kind || !isInstantKind(kind)) {
    throw new Error(
      `${where} is a ${DATE_TIME_SCALAR}: classify "${name}" as a date-time kind in DATE_FIELDS (src/graphql/dates.ts)`,
    );
  }
  return (value, path, inspection) => {
    if (!(value instanceof Date)) return value;
    const problem = instantProblem(kind, value, inspection.now());
    if (problem) inspection.refuse(path, problem);
    return value;
  };
}

/** Inspectors of input object types, built once each (and lazily, should a type contain itself). */
type InputObjectInspectors = Map<GraphQLInputObjectType, Inspector | null | 'building'>;

function inputObjectInspector(type: GraphQLInputObjectType, built: InputObjectInspectors): Inspector | null {
  const known = built.get(type);
  if (known === 'building') {
    return (value, path, inspection) => {
      const inspector = built.get(type);
      return typeof inspector === 'function' ? inspector(value, path, inspection) : value;
    };
  }
  if (known !== undefined) return known;
  built.set(type, 'building');
  const fields = Object.values(type.getFields()).flatMap((field) => {
    const inspector = inspectorFor(field.name, field.type, `${type.name}.${field.name}`, built);
    return inspector ? [{ name: field.name, inspector }] : [];
  });
  const inspector: Inspector | null =
    fields.length === 0
      ? null
      : (value, path, inspection) => {
          if (value === null || typeof value !== 'object') return value;
          const object = value as Record<string, unknown>;
          for (const { name, inspector: inspectField } of fields) {
            const current = object[name];
            if (current === undefined || current === null) continue;
            const next = inspectField(current, `${path}.${name}`, inspection);
            if (next !== current) object[name] = next;
          }
          return object;
        };
  built.set(type, inspector);
  return inspector;
}

/** How to inspect a value of `type` named `name`, or null when nothing in it needs inspecting. */
function inspectorFor(
  name: string,
  type: GraphQLInputType,
  where: string,
  built: InputObjectInspectors,
): Inspector | null {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const item = inspectorFor(name, nullable.ofType as GraphQLInputType, where, built);
    if (!item) return null;
    return (value, path, inspection) => {
      if (!Array.isArray(value)) return value;
      value.forEach((element: unknown, index) => {
        if (element === null || element === undefined) return;
        const next = item(element, `${path}.${index}`, inspection);
        if (next !== element) value[index] = next;
      });
      return value;
    };
  }
  if (isInputObjectType(nullable)) return inputObjectInspector(nullable, built);
  if (isScalarType(nullable)) {
    if (nullable.name === 'String' || nullable.name === 'ID') return textInspector(name, where);
    if (nullable.name === DATE_TIME_SCALAR) return dateTimeInspector(name, where);
  }
  return null;
}

/**
 * Whether refusals can be answered as `{ userErrors }`: a payload whose other fields may all be null
 * (so nothing but the problems comes back).
 */
function answersWithUserErrors(field: GraphQLField<unknown, unknown>): boolean {
  const type = getNullableType(field.type);
  if (!isObjectType(type)) return false;
  const fields = Object.values(type.getFields());
  return (
    fields.some((payloadField) => payloadField.name === 'userErrors') &&
    fields.every((payloadField) => payloadField.name === 'userErrors' || !isNonNullType(payloadField.type))
  );
}

function guard(field: GraphQLField<unknown, unknown>, where: string, built: InputObjectInspectors): void {
  const args = field.args.flatMap((arg) => {
    const inspector = inspectorFor(arg.name, arg.type, `${where}(${arg.name})`, built);
    return inspector ? [{ name: arg.name, inspector }] : [];
  });
  // Most fields take no text: they are left exactly as they were, at no cost per call.
  if (args.length === 0) return;
  const inspect = (args_: Record<string, unknown>, context: unknown): Problem[] => {
    const inspection = new Inspection(context);
    for (const { name, inspector } of args) {
      const value = args_[name];
      if (value === undefined || value === null) continue;
      const next = inspector(value, name, inspection);
      if (next !== value) args_[name] = next;
    }
    return inspection.problems;
  };
  const refuse = answersWithUserErrors(field)
    ? (problems: Problem[]) => ({
        userErrors: problems.map((problem) =>
          userError(problem.field, { zh: '文本或日期不可接受', en: problem.message }),
        ),
      })
    : (problems: Problem[]) => {
        const [first] = problems as [Problem];
        throw badUserInput(first.message, first.field);
      };

  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args_, context, info) => {
    const problems = inspect(args_, context);
    if (problems.length > 0) return refuse(problems);
    return resolve(source, args_, context, info);
  };
  const subscribe = field.subscribe;
  if (subscribe) {
    field.subscribe = (source, args_, context, info) => {
      const problems = inspect(args_, context);
      if (problems.length > 0) throw badUserInput(problems[0]?.message ?? '', problems[0]?.field);
      return subscribe(source, args_, context, info);
    };
  }
}

/**
 * Guards every field of the schema that takes text or date arguments (in practice the operations;
 * fields of object types rarely take any). Call it before the permission layer is applied, so that
 * permissions are checked first and a caller who may not run an operation learns nothing of its input
 * rules. Throws at build when a date-typed input is not classified in DATE_FIELDS.
 */
export function applyInputHygiene(schema: GraphQLSchema): GraphQLSchema {
  const built: InputObjectInspectors = new Map();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      guard(field as GraphQLField<unknown, unknown>, `${type.name}.${field.name}`, built);
    }
  }
  return schema;
}
