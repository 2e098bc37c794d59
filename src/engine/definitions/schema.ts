/**
 * The shape of one definition file, as a zod schema. It is the single
 * source of truth for validation and for the JSON Schema that editors use
 * (`z.toJSONSchema(definitionFileSchema)`), so it holds no transforms:
 * defaults are filled in by normalisation, not here.
 *
 * Control values follow Novu's own control models per step type. Objects
 * are strict because the SDK drops keys it does not know: a typo would
 * otherwise vanish on the way to Novu instead of failing here.
 */
import { z } from 'zod'
import { CHANNELS, SEVERITIES, STEP_TYPES } from '../model.js'
import type { StepType } from '../model.js'

/** Letters and digits, with `-`, `_` or `.` only between segments. */
export const SLUG_PATTERN = /^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$/

/** Novu refuses a workflow with more tags than this. */
export const MAX_TAGS = 16

/**
 * Where editors fetch the JSON Schema of the format: the file as released
 * with the action's major version, so that it matches the validator that
 * version runs. `org` is the owner the action is published under.
 */
export const SCHEMA_URL =
  'https://raw.githubusercontent.com/org/novu-workflows-action/v1/' +
  'schema/workflow.schema.json'

/** One tag is kept for the ownership marker the action adds. */
export const MAX_USER_TAGS = MAX_TAGS - 1

const slug = (what: string) =>
  z
    .string()
    .regex(SLUG_PATTERN)
    .describe(
      `${what}: letters and digits, with -, _ or . only between segments`
    )

const jsonObject = z.record(z.string(), z.unknown())

const skip = jsonObject.describe(
  'JSONLogic condition; when it holds, the step is skipped'
)

const timeUnit = z.enum([
  'seconds',
  'minutes',
  'hours',
  'days',
  'weeks',
  'months'
])

const redirect = z.strictObject({
  url: z.string(),
  target: z
    .enum(['_self', '_blank', '_parent', '_top', '_unfencedTop'])
    .optional()
})

const action = z.strictObject({
  label: z.string().optional(),
  redirect: redirect.optional()
})

const keyValue = z.strictObject({ key: z.string(), value: z.string() })

const inAppControls = z.strictObject({
  skip: skip.optional(),
  subject: z.string().optional(),
  body: z.string().optional(),
  avatar: z.string().optional(),
  primaryAction: action.optional(),
  secondaryAction: action.optional(),
  redirect: redirect.optional(),
  disableOutputSanitization: z.boolean().optional(),
  data: jsonObject.optional()
})

const emailControls = z.strictObject({
  skip: skip.optional(),
  subject: z.string().optional(),
  body: z
    .string()
    .describe('HTML, or Maily editor JSON written as a string')
    .optional(),
  editorType: z
    .enum(['block', 'html'])
    .describe('Set from the body when absent: Maily JSON is block, else html')
    .optional(),
  disableOutputSanitization: z.boolean().optional(),
  layoutId: z.string().nullable().optional(),
  from: z
    .strictObject({
      email: z.string().optional(),
      name: z.string().optional()
    })
    .optional(),
  useProviderDefaults: z.boolean().optional(),
  replyTo: z.string().optional(),
  preheader: z.string().optional()
})

const smsControls = z.strictObject({
  skip: skip.optional(),
  body: z.string().optional()
})

const pushControls = z.strictObject({
  skip: skip.optional(),
  subject: z.string().optional(),
  body: z.string().optional()
})

const chatControls = z.strictObject({
  skip: skip.optional(),
  body: z.string().optional(),
  editorType: z.enum(['block', 'text']).optional()
})

// Novu stores a zero or negative wait, then never sends the step as meant.
const duration = z.number().positive()

const delayControls = z.strictObject({
  skip: skip.optional(),
  type: z.enum(['regular', 'timed']).optional(),
  amount: duration.optional(),
  unit: timeUnit.optional(),
  cron: z.string().optional()
})

const digestControls = z.strictObject({
  skip: skip.optional(),
  type: z.enum(['regular', 'timed']).optional(),
  amount: duration.optional(),
  unit: timeUnit.optional(),
  lookBackWindow: z
    .strictObject({ amount: duration, unit: timeUnit })
    .optional(),
  cron: z.string().optional(),
  digestKey: z.string().optional()
})

const throttleControls = z.strictObject({
  skip: skip.optional(),
  type: z.enum(['fixed', 'dynamic']).optional(),
  amount: duration.optional(),
  unit: z.enum(['minutes', 'hours', 'days']).optional(),
  dynamicKey: z.string().optional(),
  threshold: duration.optional(),
  throttleKey: z.string().optional()
})

const httpRequestControls = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).optional(),
  url: z.string().optional(),
  headers: z.array(keyValue).optional(),
  body: z.union([z.string(), z.array(keyValue)]).optional(),
  responseBodySchema: jsonObject.optional(),
  enforceSchemaValidation: z.boolean().optional(),
  continueOnFailure: z.boolean().optional()
})

// Template syntax inside control values (Liquid) is not parsed here: the
// action would need Novu's own template engine to judge it the same way.
// Novu checks it on save and the action reports those issues per step
// (see the README's Limitations).

// Custom steps carry whatever controls their author defined.
const customControls = jsonObject

const CONTROL_SCHEMAS = {
  in_app: inAppControls,
  email: emailControls,
  sms: smsControls,
  push: pushControls,
  chat: chatControls,
  delay: delayControls,
  digest: digestControls,
  throttle: throttleControls,
  custom: customControls,
  http_request: httpRequestControls
} as const satisfies Record<StepType, z.ZodType>

/** Control keys each step type accepts; `null` means any key. */
export const STEP_CONTROL_KEYS: Readonly<
  Record<StepType, readonly string[] | null>
> = Object.fromEntries(
  STEP_TYPES.map((type) => {
    const schema: z.ZodType = CONTROL_SCHEMAS[type]
    const keys =
      schema instanceof z.ZodObject ? Object.keys(schema.shape) : null
    return [type, keys]
  })
) as Record<StepType, readonly string[] | null>

const stepSchema = <T extends StepType>(type: T) =>
  z.strictObject({
    stepId: slug('Step id, unique within the workflow'),
    name: z.string().min(1).describe('Step name shown in the dashboard'),
    type: z.literal(type),
    controlValues: CONTROL_SCHEMAS[type].optional()
  })

/**
 * A step whose type is missing or unknown, checked for everything else,
 * so that one run reports all of a step's problems and not only its type.
 */
export const untypedStepSchema = z.strictObject({
  stepId: slug('Step id, unique within the workflow'),
  name: z.string().min(1),
  type: z.unknown().optional(),
  controlValues: jsonObject.optional()
})

export const stepDefinitionSchema = z.discriminatedUnion('type', [
  stepSchema('in_app'),
  stepSchema('email'),
  stepSchema('sms'),
  stepSchema('push'),
  stepSchema('chat'),
  stepSchema('delay'),
  stepSchema('digest'),
  stepSchema('throttle'),
  stepSchema('custom'),
  stepSchema('http_request')
])

const channelPreference = z.strictObject({ enabled: z.boolean() })

export const preferenceSetSchema = z.strictObject({
  all: z.strictObject({
    enabled: z.boolean(),
    readOnly: z.boolean().optional()
  }),
  channels: z.strictObject(
    Object.fromEntries(
      CHANNELS.map((channel) => [channel, channelPreference.optional()])
    ) as Record<
      (typeof CHANNELS)[number],
      z.ZodOptional<typeof channelPreference>
    >
  )
})

export const definitionFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    workflowId: slug('Workflow id'),
    name: z.string().min(1),
    description: z.string().optional(),
    tags: z
      .array(z.string().min(1))
      .max(MAX_USER_TAGS)
      .describe('At most 15: the action adds a managed-by tag of its own')
      .optional(),
    active: z.boolean().describe('Defaults to true').optional(),
    validatePayload: z.boolean().describe('Defaults to false').optional(),
    payloadSchema: jsonObject
      .nullable()
      .describe('JSON Schema of the trigger payload')
      .optional(),
    preferences: z
      .strictObject({
        workflow: preferenceSetSchema
          .describe('Defaults for every subscriber')
          .optional(),
        user: preferenceSetSchema
          .nullable()
          .describe('What subscribers may change')
          .optional()
      })
      .nullable()
      .optional(),
    severity: z.enum(SEVERITIES).describe('Defaults to none').optional(),
    isTranslationEnabled: z.boolean().optional(),
    steps: z.array(stepDefinitionSchema)
  })
  .describe('One Novu workflow, kept in the repository')

export type DefinitionFile = z.infer<typeof definitionFileSchema>
