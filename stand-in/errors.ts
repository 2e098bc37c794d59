// Novu answers every error through one exception filter: the Nest
// exception's response object is spread over { statusCode, timestamp, path,
// message }. So a thrown string gives { message, error: 'Not Found' } and a
// thrown object keeps its own keys (workflowId, errors, ...) at top level.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {}
  ) {
    super(typeof body.message === 'string' ? body.message : String(status))
  }
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests'
}

// The shape Nest gives `new XxxException('text')`.
export function nestError(status: number, message: string): HttpError {
  return new HttpError(status, {
    message,
    error: reasons[status] ?? 'Error',
    statusCode: status
  })
}

// The shape Nest gives `new XxxException({ ...object })`.
export function objectError(
  status: number,
  body: Record<string, unknown>
): HttpError {
  return new HttpError(status, body)
}

export interface FieldProblem {
  messages: string[]
  value?: unknown
}

// Novu's validation pipe answers malformed bodies with 422 and a map of
// field path -> { messages, value }.
export function validationError(
  errors: Record<string, FieldProblem>
): HttpError {
  return new HttpError(422, {
    message: 'Validation Error',
    errors
  })
}

export function workflowNotFound(workflowId: string): HttpError {
  return objectError(404, {
    message: 'Workflow cannot be found',
    workflowId
  })
}

export function errorBody(
  error: HttpError,
  path: string
): Record<string, unknown> {
  return {
    statusCode: error.status,
    timestamp: new Date().toISOString(),
    path,
    ...error.body
  }
}
