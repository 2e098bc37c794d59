/**
 * The catalogue of mistakes people make in definition files: one mistake
 * per fixture under fixtures/catalogue, each with the problem the action
 * must report (file, line, field, message) before anything reaches Novu.
 *
 * The traps of the first catalogue live in definitions.test.ts with their
 * fixtures under fixtures/definitions/bad and are not repeated here: the
 * misspelt channel `inApp`, a control the step type lacks (sms subject),
 * a payloadSchema that is not JSON Schema, a missing stepId, preferences
 * at the wrong level, editorType block over an HTML body, more tags than
 * Novu keeps, a bad slug, an unknown step type, `__proto__` in JSON, an
 * alias bomb, invalid JSON and YAML. One workflowId in two files is
 * proved there too ("one workflowId in two files is a problem in each").
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from '@jest/globals'
import { parseDefinition } from '../src/engine/definitions/parse.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const catalogue = path.join(here, 'fixtures', 'catalogue')
const REAL = path.resolve(here, '../../shared/reference/real-definitions')

async function parseFixture(file: string) {
  const text = await readFile(path.join(catalogue, file), 'utf8')
  return parseDefinition(file, text)
}

// [file, line, field, the message or its telling part]
const cases: Array<[string, number, string, string]> = [
  [
    'missing-workflow-id.yaml',
    1,
    'workflowId',
    'Missing required field "workflowId" in the workflow; add the id ' +
      'Novu knows the workflow by'
  ],
  [
    'missing-name.json',
    1,
    'name',
    'Missing required field "name" in the workflow; add the name shown ' +
      'in the Novu dashboard.'
  ],
  ['empty-name.yaml', 2, 'name', 'name is empty; give it a value'],
  [
    'workflow-id-number.json',
    2,
    'workflowId',
    'workflowId must be a string, not a number; change its value.'
  ],
  [
    'workflow-id-trailing-dash.yaml',
    1,
    'workflowId',
    'workflowId "order-shipped-" is not a valid id; use letters and ' +
      'digits, with "-", "_" or "." only between them, such as ' +
      '"order-shipped".'
  ],
  [
    'step-id-space.json',
    6,
    'steps[0].stepId',
    'steps[0].stepId "send inbox" is not a valid id; use letters and ' +
      'digits, with "-", "_" or "." only between them, such as "send-inbox".'
  ],
  [
    'duplicate-tag.yaml',
    3,
    'tags[2]',
    'Tag "orders" appears more than once in tags; remove the repeat.'
  ],
  ['tags-not-list.yaml', 3, 'tags', 'tags must be an array, not a string'],
  [
    'severity-unknown.json',
    4,
    'severity',
    'Invalid value "urgent" for severity; use "high", "medium", "low" or ' +
      '"none".'
  ],
  [
    'active-string.yaml',
    3,
    'active',
    'active must be true or false, not the text "yes"; write true'
  ],
  ['steps-not-list.json', 4, 'steps', 'steps must be an array, not an object'],
  [
    'step-missing-type.yaml',
    4,
    'steps[0].type',
    'Missing required field "type" in steps[0]; use "in_app", "email"'
  ],
  [
    'step-name-missing.yaml',
    4,
    'steps[0].name',
    'Missing required field "name" in steps[0]'
  ],
  [
    'step-type-capitalised.json',
    8,
    'steps[0].type',
    'Unknown step type "Email" in steps[0].type; use "email".'
  ],
  [
    'step-controls-key.yaml',
    7,
    'steps[0].controls',
    'Unknown key "controls" in steps[0]; allowed keys are "stepId", ' +
      '"name", "type" and "controlValues".'
  ],
  [
    'in-app-editor-type.yaml',
    9,
    'steps[0].controlValues.editorType',
    'Step "inbox" of type in_app has no control "editorType", and Novu ' +
      'would drop it'
  ],
  [
    'digest-unknown-control.yaml',
    10,
    'steps[0].controlValues.window',
    'Step "collect" of type digest has no control "window"'
  ],
  [
    'throttle-body.json',
    10,
    'steps[0].controlValues.body',
    'Step "limit" of type throttle has no control "body"'
  ],
  [
    'http-request-uri.json',
    10,
    'steps[0].controlValues.uri',
    'Step "call" of type http_request has no control "uri", and Novu ' +
      'would drop it; did you mean "url"?'
  ],
  [
    'custom-controls-list.json',
    9,
    'steps[0].controlValues',
    'steps[0].controlValues must be an object, not an array'
  ],
  [
    'delay-negative.yaml',
    8,
    'steps[0].controlValues.amount',
    'steps[0].controlValues.amount is -1 but must be more than 0; set a ' +
      'positive number.'
  ],
  [
    'preferences-unknown-channel.yaml',
    7,
    'preferences.workflow.channels.slack',
    'Unknown channel "slack" in preferences.workflow.channels; channels ' +
      'are "in_app", "email", "sms", "chat" or "push".'
  ],
  [
    'preferences-channel-boolean.json',
    10,
    'preferences.workflow.channels.email',
    'preferences.workflow.channels.email must be an object such as ' +
      '{ enabled: true }, not a boolean.'
  ],
  [
    'preferences-enabled-string.json',
    7,
    'preferences.workflow.all.enabled',
    'preferences.workflow.all.enabled must be a boolean, not a string'
  ],
  [
    'preferences-unknown-level.yaml',
    4,
    'preferences.default',
    'Unknown key "default" in preferences; allowed keys are "workflow" ' +
      'and "user".'
  ],
  [
    'read-only-on-channel.yaml',
    7,
    'preferences.workflow.channels.email.readOnly',
    'Unknown key "readOnly" in preferences.workflow.channels.email; ' +
      'allowed keys are "enabled".'
  ],
  [
    'payload-schema-string.yaml',
    3,
    'payloadSchema',
    'payloadSchema must be an object, not a string'
  ],
  [
    'payload-schema-required-string.json',
    11,
    'payloadSchema.required',
    'payloadSchema.required is not valid JSON Schema: must be array'
  ],
  [
    'validate-payload-string.json',
    4,
    'validatePayload',
    'validatePayload must be a boolean, not a string'
  ],
  [
    'translation-string.json',
    4,
    'isTranslationEnabled',
    'isTranslationEnabled must be true or false, not the text "no"; write false'
  ],
  [
    'description-number.yaml',
    3,
    'description',
    'description must be a string, not a number'
  ],
  [
    'schema-not-string.json',
    2,
    '$schema',
    '$schema must be a string, not a number'
  ],
  [
    'proto-key.yaml',
    9,
    'steps[0].controlValues.__proto__',
    'The key "__proto__" is not allowed anywhere in a definition file'
  ],
  [
    'tab-indent.yaml',
    4,
    '',
    'The file is not valid YAML: Tabs are not allowed as indentation'
  ]
]

describe('catalogue of mistakes', () => {
  test.each(cases)('%s', async (file, line, field, message) => {
    const { loaded, problems } = await parseFixture(file)

    expect(loaded).toBeUndefined()
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ file, line, field })
    expect(problems[0]?.message).toContain(message)
  })

  test('holds at least 30 mistakes, in JSON and YAML', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30)
    const kinds = new Set(cases.map(([file]) => path.extname(file)))
    expect(kinds).toEqual(new Set(['.json', '.yaml']))
  })

  test('every fixture has a case', async () => {
    const files = (await readdir(catalogue)).filter(
      (file) => !ACCEPTED.includes(file)
    )
    expect(files.sort()).toEqual(cases.map(([file]) => file).sort())
  })
})

// Files that look wrong but are not refused, each with the reason.
const ACCEPTED = ['handlebars-each.yaml']

describe('accepted on purpose', () => {
  // Novu templates use Liquid, so `{{#each …}}` renders nothing useful.
  // It stays a warning-free pass here: Liquid and Handlebars share `{{ }}`,
  // telling them apart reliably needs a Liquid parser, and Novu itself
  // flags the step (status ERROR with the step's issue) when it saves
  // the workflow. The action then reports Novu's message on the step and
  // does not promote the workflow unless "promote-with-issues" is set.
  test('Handlebars block helpers are left to Novu to judge', async () => {
    const { loaded, problems } = await parseFixture('handlebars-each.yaml')

    expect(problems).toEqual([])
    expect(loaded?.definition.steps[1]?.controlValues.body).toContain(
      '{{#each steps.collect.events}}'
    )
  })
})

// The files sit beside the checkout, not in it; a clone placed elsewhere
// cannot see them and skips these cases.
const withRealFiles = existsSync(REAL) ? describe : describe.skip

withRealFiles('published files that are invalid', () => {
  async function problemsOf(prefix: string) {
    const name = (await readdir(REAL)).find((file) => file.startsWith(prefix))
    expect(name).toBeDefined()
    const text = await readFile(path.join(REAL, name!), 'utf8')
    return parseDefinition(name!, text).problems.map((problem) => [
      problem.line,
      problem.field,
      problem.message
    ])
  }

  test('the create body from Novu docs uses the channel key inApp', async () => {
    expect(await problemsOf('01-')).toEqual([
      [
        expect.any(Number),
        'preferences.user.channels.inApp',
        'Unknown channel "inApp" in preferences.user.channels; use "in_app".'
      ],
      [
        expect.any(Number),
        'preferences.workflow.channels.inApp',
        'Unknown channel "inApp" in preferences.workflow.channels; use ' +
          '"in_app".'
      ]
    ])
  })

  test('the onboarding guide puts preferences at the wrong level', async () => {
    const problems = await problemsOf('09-')

    expect(problems.map(([, field]) => field)).toEqual([
      'steps[0].stepId',
      'steps[1].stepId',
      'steps[2].stepId',
      'preferences.all'
    ])
    expect(problems[3]![2]).toContain(
      '"all" cannot sit directly under preferences, where Novu would ' +
        'ignore it; move it into preferences.workflow'
    )
  })

  test('the newsletter guide leaves out step ids', async () => {
    const problems = await problemsOf('11-')

    expect(problems.map(([, field]) => field)).toEqual([
      'steps[0].stepId',
      'steps[1].stepId'
    ])
    expect(problems[0]![2]).toMatch(
      /^Missing required field "stepId" in steps\[0\]; add an id unique/
    )
  })

  test('the valid ones pass', async () => {
    expect(await problemsOf('04-')).toEqual([])
    expect(await problemsOf('07-')).toEqual([])
  })
})
