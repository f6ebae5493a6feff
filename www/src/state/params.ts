// A DAG's params (Airflow's serialized Param: value, JSON-Schema subset,
// description) and the trigger form's conf: defaults, and validation of a
// conf the user typed, with Airflow's rules for what a Param accepts.
import type { ParamSpec } from "../api/types";

export type Params = Record<string, ParamSpec>;

export function defaultConf(params: Params | null | undefined): Record<string, unknown> {
  const conf: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(params ?? {})) conf[name] = param.value ?? null;
  return conf;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = jsonType(value);
  if (expected === "number") return actual === "number" || actual === "integer";
  return expected === actual;
}

function allowedTypes(schema: Record<string, unknown>): string[] | null {
  const t = schema.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return null;
}

// Problems with one value against one param's schema (empty when fine).
export function checkParam(name: string, param: ParamSpec, value: unknown): string[] {
  const schema = param.schema ?? {};
  const problems: string[] = [];
  const types = allowedTypes(schema);
  if (value === null || value === undefined) {
    if (types && !types.includes("null")) problems.push(`${name} is required`);
    return problems;
  }
  if (types && !types.some((t) => typeMatches(t, value))) {
    problems.push(`${name} must be ${types.join(" or ")}, not ${jsonType(value)}`);
    return problems;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    problems.push(`${name} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) problems.push(`${name} must be ≥ ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) problems.push(`${name} must be ≤ ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum)
      problems.push(`${name} must be > ${schema.exclusiveMinimum}`);
    if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum)
      problems.push(`${name} must be < ${schema.exclusiveMaximum}`);
  }
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength)
      problems.push(`${name} must be at least ${schema.minLength} characters`);
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength)
      problems.push(`${name} must be at most ${schema.maxLength} characters`);
    if (typeof schema.pattern === "string") {
      let matches = true;
      try {
        matches = new RegExp(schema.pattern, "u").test(value);
      } catch {
        matches = true;
      }
      if (!matches) problems.push(`${name} must match ${schema.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems)
      problems.push(`${name} needs at least ${schema.minItems} items`);
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems)
      problems.push(`${name} allows at most ${schema.maxItems} items`);
  }
  return problems;
}

export interface ConfCheck {
  conf: Record<string, unknown> | null;
  problems: string[];
}

// Parses the conf text and checks it against the params. Keys that are not
// params pass through, as Airflow allows.
export function validateConf(text: string, params: Params | null | undefined): ConfCheck {
  const trimmed = text.trim();
  let parsed: unknown = {};
  if (trimmed) {
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      return { conf: null, problems: [`Not valid JSON: ${(e as Error).message}`] };
    }
  }
  if (jsonType(parsed) !== "object") return { conf: null, problems: ["The conf must be a JSON object"] };
  const conf = parsed as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, param] of Object.entries(params ?? {})) {
    const value = name in conf ? conf[name] : param.value;
    problems.push(...checkParam(name, param, value));
  }
  return { conf: problems.length ? null : conf, problems };
}
