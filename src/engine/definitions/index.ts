export { loadDefinitions } from './load.js'
export type { LoadOptions, LoadOutcome } from './load.js'
export { parseDefinition } from './parse.js'
export type { ParseResult } from './parse.js'
export {
  definitionFileSchema,
  STEP_CONTROL_KEYS
} from './schema.js'
export type { DefinitionFile } from './schema.js'
