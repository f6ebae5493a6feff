// Kubernetes `Status` failure bodies and the error type handlers throw, with
// the codes, reasons and message wording kube-apiserver uses for each case.

export class ApiError extends Error {
  constructor(code, reason, message, details = undefined) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  body() {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

export function statusBody(code, reason, message, details = undefined) {
  const body = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  if (details) body.details = details;
  return body;
}

export function successStatus(details) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}

// `resource` is the plural (pods); the real server names the group too when
// there is one, the core group has none.
export const notFound = (resource, name) =>
  new ApiError(404, "NotFound", `${resource} "${name}" not found`, { name, kind: resource });

export const alreadyExists = (resource, name) =>
  new ApiError(409, "AlreadyExists", `${resource} "${name}" already exists`, { name, kind: resource });

export const conflict = (resource, name, why) =>
  new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, {
    name,
    kind: resource,
  });

export const badRequest = (message) => new ApiError(400, "BadRequest", message);

export const forbidden = (resource, name, why) =>
  new ApiError(403, "Forbidden", `${resource} "${name}" is forbidden: ${why}`, { name, kind: resource });

export const unauthorized = () => new ApiError(401, "Unauthorized", "Unauthorized");

export const methodNotAllowed = () =>
  new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

export const gone = (message) => new ApiError(410, "Expired", message);

export const tooLarge = () => new ApiError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");

// One field error, as apimachinery's field.Error renders it.
export function cause(reason, field, message) {
  return { reason, field, message };
}

// 422 with every cause; the message lists them the way the real server does
// (one inline, several in brackets).
export function invalid(kind, name, causes) {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return new ApiError(422, "Invalid", `${kind} "${name}" is invalid: ${list}`, { name, kind, causes });
}
