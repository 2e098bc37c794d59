import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from '@jest/globals'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { z } from 'zod'
import { STEP_TYPES } from '../src/engine/model.js'
import { loadDefinitions } from '../src/engine/definitions/load.js'
import { parseDefinition } from '../src/engine/definitions/parse.js'
import {
  definitionFileSchema,
  STEP_CONTROL_KEYS
} from '../src/engine/definitions/schema.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const fixtures = path.join(here, 'fixtures', 'definitions')

async function parseFixture(file: string) {
  const text = await readFile(path.join(fixtures, file), 'utf8')
  return parseDefinition(file, text)
}

describe('examples', () => {
  test('every example validates and together they use every step type', async () => {
    const outcome = await loadDefinitions({
      cwd: root,
      globs: ['examples/workflows/*.{json,yaml,yml}']
    })

    expect(outcome.problems).toEqual([])
    expect(outcome.files.length).toBeGreaterThanOrEqual(5)
    expect(outcome.definitions).toHaveLength(outcome.files.length)

    const steps = outcome.definitions.flatMap(
      ({ definition }) => definition.steps
    )
    expect(new Set(steps.map((step) => step.type))).toEqual(new Set(STEP_TYPES))
    const editors = steps
      .filter((step) => step.type === 'email')
      .map((step) => step.controlValues.editorType)
    expect(editors).toContain('html')
    expect(editors).toContain('block')
  })

  test('the JSON Schema generated from the zod schema accepts them', async () => {
    const schema = z.toJSONSchema(definitionFileSchema)
    const validate = new Ajv2020({ strict: false }).compile(schema)
    const outcome = await loadDefinitions({
      cwd: root,
      globs: ['examples/workflows/*.json']
    })

    for (const file of outcome.files) {
      const text = await readFile(path.join(root, file), 'utf8')
      expect([file, validate(JSON.parse(text))]).toEqual([file, true])
    }
  })
})

describe('good definitions', () => {
  test('a minimal file is normalised with explicit defaults', async () => {
    const { loaded, problems } = await parseFixture('good/minimal.yaml')

    expect(problems).toEqual([])
    expect(loaded?.definition).toEqual({
      workflowId: 'comment-reply',
      name: 'Comment reply',
      description: '',
      tags: [],
      active: true,
      validatePayload: false,
      payloadSchema: null,
      preferences: null,
      severity: 'none',
      isTranslationEnabled: false,
      steps: [
        {
          stepId: 'reply-inbox',
          name: 'Reply in the inbox',
          type: 'in_app',
          controlValues: { body: '{{payload.author}} replied to your comment.' }
        }
      ]
    })
    expect(loaded?.source).toMatchObject({ file: 'good/minimal.yaml', line: 1 })
  })

  test('set values are kept and an HTML email gets editorType html', async () => {
    const { loaded, problems } = await parseFixture('good/full.json')

    expect(problems).toEqual([])
    const definition = loaded!.definition
    expect(definition).toMatchObject({
      active: false,
      validatePayload: true,
      severity: 'low',
      isTranslationEnabled: true,
      preferences: {
        workflow: { all: { enabled: true, readOnly: true } },
        user: null
      }
    })
    expect(definition.steps[0]?.controlValues).toEqual({
      subject: 'Receipt for {{payload.amount}}',
      body: '<p>Thank you.</p>',
      layoutId: null,
      editorType: 'html'
    })
  })

  test('lineOf finds fields and falls back to the nearest ancestor', async () => {
    const { loaded } = await parseFixture('good/full.json')
    const source = loaded!.source

    expect(source.line).toBe(2)
    expect(source.lineOf(['steps', 0, 'controlValues', 'subject'])).toBe(29)
    expect(source.lineOf(['steps', 0, 'controlValues', 'absent'])).toBe(28)
    expect(source.lineOf(['steps', 5])).toBe(23)
    expect(source.lineOf([])).toBe(1)
  })

  test('a few YAML aliases are fine, and lines follow them', () => {
    const text = [
      'workflowId: shared-prefs',
      'name: Shared preferences',
      'preferences:',
      '  workflow: &on',
      '    all: { enabled: true }',
      '    channels: { email: { enabled: true } }',
      '  user: *on',
      'steps: []'
    ].join('\n')
    const { loaded, problems } = parseDefinition('shared.yaml', text)

    expect(problems).toEqual([])
    expect(loaded?.definition.preferences?.user).toEqual({
      all: { enabled: true },
      channels: { email: { enabled: true } }
    })
    expect(loaded?.source.lineOf(['preferences', 'user', 'all'])).toBe(5)
  })

  test('a Maily JSON body without editorType becomes block', () => {
    const body = JSON.stringify({ type: 'doc', content: [] })
    const text = JSON.stringify({
      workflowId: 'maily',
      name: 'Maily',
      steps: [
        {
          stepId: 'mail',
          name: 'Mail',
          type: 'email',
          controlValues: { subject: 'Hi', body, preheader: 'kept' }
        }
      ]
    })
    const { loaded } = parseDefinition('maily.json', text)

    expect(loaded?.definition.steps[0]?.controlValues).toEqual({
      subject: 'Hi',
      body,
      preheader: 'kept',
      editorType: 'block'
    })
  })

  test('custom steps accept any control', () => {
    expect(STEP_CONTROL_KEYS.custom).toBeNull()
    expect(STEP_CONTROL_KEYS.sms).toEqual(['skip', 'body'])
    expect(STEP_CONTROL_KEYS.email).toContain('editorType')
  })
})

describe('bad definitions', () => {
  // Each fixture holds one mistake: [file, line, field, message part].
  const cases: Array<[string, number, string, string]> = [
    [
      'bad/unknown-key.yaml',
      3,
      'descripton',
      'Unknown key "descripton" in the workflow; use "description".'
    ],
    [
      'bad/step-id-case.json',
      6,
      'steps[0].stepID',
      'Unknown key "stepID" in steps[0]; use "stepId".'
    ],
    [
      'bad/misspelt-channel.json',
      9,
      'preferences.workflow.channels.inApp',
      'Unknown channel "inApp" in preferences.workflow.channels; ' +
        'use "in_app".'
    ],
    [
      'bad/wrong-control.yaml',
      8,
      'steps[0].controlValues.subject',
      'Step "code-sms" of type sms has no control "subject", and Novu ' +
        'would drop it; allowed controls are "skip" and "body".'
    ],
    [
      'bad/invalid-payload-schema.json',
      7,
      'payloadSchema.properties.reportUrl.type',
      'payloadSchema.properties.reportUrl.type is not valid JSON Schema: ' +
        'must be one of "array"'
    ],
    [
      'bad/missing-step-id.json',
      5,
      'steps[0].stepId',
      'Missing required field "stepId" in steps[0]; add an id unique ' +
        'within the workflow, such as "wait-a-day"'
    ],
    [
      'bad/preferences-wrong-level.json',
      5,
      'preferences.all',
      '"all" cannot sit directly under preferences, where Novu would ' +
        'ignore it; move it into preferences.workflow'
    ],
    [
      'bad/duplicate-step-id.yaml',
      9,
      'steps[1].stepId',
      'Step id "notify" is already used by steps[0]'
    ],
    [
      'bad/bad-slug.yaml',
      1,
      'workflowId',
      'workflowId "Welcome Email" is not a valid id; use letters and ' +
        'digits, with "-", "_" or "." only between them, such as ' +
        '"welcome-email".'
    ],
    [
      'bad/too-many-tags.yaml',
      3,
      'tags',
      'tags has 17 entries but at most 15 are allowed: Novu caps tags ' +
        'at 16 and the action adds a managed-by tag; remove 2 of them.'
    ],
    [
      'bad/alias-bomb.yaml',
      4,
      '',
      'The file uses 27 YAML aliases but at most 10 are allowed'
    ],
    [
      'bad/proto-key.json',
      11,
      'steps[0].controlValues.__proto__',
      'The key "__proto__" is not allowed anywhere in a definition file'
    ],
    [
      'bad/invalid-yaml.yaml',
      8,
      '',
      'The file is not valid YAML: Missing closing "quote'
    ],
    [
      'bad/invalid-json.json',
      4,
      '',
      "The file is not valid JSON: Expected ',' or '}' after property " +
        'value; fix the syntax at this position.'
    ],
    ['bad/not-an-object.yaml', 1, '', 'The file holds a list, not a workflow'],
    ['bad/empty.yaml', 1, '', 'The file is empty'],
    ['bad/two-documents.yaml', 4, '', 'The file holds 2 YAML documents'],
    [
      'bad/block-editor-html.yaml',
      9,
      'steps[0].controlValues.editorType',
      'Email step "issue-email" has editorType "block" but its body is ' +
        'not Maily JSON, so Novu would blank it'
    ],
    [
      'bad/unknown-step-type.yaml',
      6,
      'steps[0].type',
      'Unknown step type "inApp" in steps[0].type; use "in_app".'
    ],
    [
      'bad/delay-unit.yaml',
      9,
      'steps[0].controlValues.unit',
      'Invalid value "day" for steps[0].controlValues.unit; use "days".'
    ],
    [
      'bad/amount-string.yaml',
      8,
      'steps[0].controlValues.amount',
      'steps[0].controlValues.amount must be a number, not a string'
    ]
  ]

  test.each(cases)('%s', async (file, line, field, message) => {
    const { loaded, problems } = await parseFixture(file)

    expect(loaded).toBeUndefined()
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ file, line, field })
    expect(problems[0]?.message).toContain(message)
  })

  test('every fixture in bad/ has a case', async () => {
    const outcome = await loadDefinitions({ cwd: fixtures, globs: ['bad/*'] })
    expect(outcome.files).toEqual(cases.map(([file]) => file).sort())
    expect(outcome.definitions).toEqual([])
  })

  test('problems name the workflow and the step when known', async () => {
    const { problems } = await parseFixture('bad/wrong-control.yaml')
    expect(problems[0]).toMatchObject({
      workflowId: 'login-code',
      stepId: 'code-sms',
      column: 7
    })
  })

  test('all problems of a file are reported, in line order', () => {
    const text = [
      'workflowId: many-mistakes',
      'name: ""',
      'severity: urgent',
      'steps:',
      '  - stepId: a',
      '    name: A',
      '    type: chat',
      '    controlValues: { body: hi, title: x }',
      '  - name: B',
      '    type: sms'
    ].join('\n')
    const { problems } = parseDefinition('many.yaml', text)

    expect(problems.map((problem) => [problem.line, problem.field])).toEqual([
      [2, 'name'],
      [3, 'severity'],
      [8, 'steps[0].controlValues.title'],
      [9, 'steps[1].stepId']
    ])
  })

  test('constructor and prototype keys are refused in YAML too', () => {
    const text =
      'workflowId: x\nname: X\nsteps: []\nconstructor: 1\n' +
      'payloadSchema:\n  properties:\n    prototype: {}\n'
    const { problems } = parseDefinition('keys.yaml', text)

    expect(problems.map((problem) => [problem.line, problem.field])).toEqual([
      [4, 'constructor'],
      [7, 'payloadSchema.properties.prototype']
    ])
  })

  test('a step body written as an object is explained', () => {
    const text = JSON.stringify({
      workflowId: 'x',
      name: 'X',
      steps: [
        {
          stepId: 'mail',
          name: 'Mail',
          type: 'email',
          controlValues: { subject: 'Hi', body: { type: 'doc' } }
        }
      ]
    })
    const { problems } = parseDefinition('object-body.json', text)

    expect(problems[0]?.message).toContain(
      'must be a string, not an object; write Maily JSON as a string'
    )
  })
})

describe('loading', () => {
  test('one workflowId in two files is a problem in each', async () => {
    const outcome = await loadDefinitions({
      cwd: fixtures,
      globs: ['duplicate/*']
    })

    expect(outcome.definitions).toEqual([])
    expect(outcome.problems).toEqual([
      expect.objectContaining({
        file: 'duplicate/alpha.yaml',
        line: 1,
        field: 'workflowId',
        message: expect.stringContaining(
          'workflowId "shared-id" is also defined in duplicate/beta.json'
        )
      }),
      expect.objectContaining({
        file: 'duplicate/beta.json',
        line: 3,
        message: expect.stringContaining('also defined in duplicate/alpha.yaml')
      })
    ])
  })

  test('workflowIds selects definitions and names ids without a file', async () => {
    const outcome = await loadDefinitions({
      cwd: root,
      globs: ['examples/workflows/*'],
      workflowIds: ['trial-ending', 'no-such-workflow']
    })

    expect(
      outcome.definitions.map(({ definition }) => definition.workflowId)
    ).toEqual(['trial-ending'])
    expect(outcome.problems).toEqual([
      {
        file: '',
        line: 0,
        field: '',
        workflowId: 'no-such-workflow',
        message: expect.stringContaining(
          'No definition file has workflowId "no-such-workflow"'
        )
      }
    ])
  })

  test('definitions are sorted by workflowId, files by path', async () => {
    const outcome = await loadDefinitions({
      cwd: root,
      globs: ['examples/workflows/*.yaml', 'examples/workflows/*.json']
    })
    const ids = outcome.definitions.map(
      ({ definition }) => definition.workflowId
    )

    expect(ids).toEqual([...ids].sort())
    expect(outcome.files).toEqual([...outcome.files].sort())
  })

  test('a file over the size limit is refused', async () => {
    const outcome = await loadDefinitions({
      cwd: fixtures,
      globs: ['good/full.json'],
      maxFileBytes: 100
    })

    expect(outcome.definitions).toEqual([])
    expect(outcome.problems).toEqual([
      expect.objectContaining({
        file: 'good/full.json',
        line: 1,
        message: expect.stringContaining('more than the limit of 100')
      })
    ])
  })

  test('too many files load nothing', async () => {
    const outcome = await loadDefinitions({
      cwd: root,
      globs: ['examples/workflows/*'],
      maxFiles: 2
    })

    expect(outcome.definitions).toEqual([])
    expect(outcome.problems).toHaveLength(1)
    expect(outcome.problems[0]?.message).toContain('more than the limit of 2')
  })

  test('other extensions and dot files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'definitions-'))
    try {
      await writeFile(path.join(dir, 'notes.txt'), 'hello')
      await writeFile(path.join(dir, '.hidden.yaml'), 'not: [valid')
      await writeFile(
        path.join(dir, 'ok.yml'),
        'workflowId: ok\nname: OK\nsteps: []\n'
      )
      const outcome = await loadDefinitions({ cwd: dir, globs: ['*'] })

      expect(outcome.files).toEqual(['notes.txt', 'ok.yml'])
      expect(outcome.definitions).toHaveLength(1)
      expect(outcome.problems).toEqual([
        expect.objectContaining({
          file: 'notes.txt',
          message: expect.stringContaining('is not .json, .yaml or .yml')
        })
      ])
    } finally {
      await rm(dir, { recursive: true })
    }
  })

  test('no globs match nothing', async () => {
    const outcome = await loadDefinitions({ cwd: root, globs: ['', ' '] })
    expect(outcome).toEqual({ definitions: [], problems: [], files: [] })
  })
})

describe('globs and file kinds', () => {
  const minimal = { workflowId: 'w1', name: 'W1', steps: [] }

  async function workspace(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'novu-globs-'))
    for (const [name, text] of Object.entries(files)) {
      await writeFile(path.join(dir, name), text)
    }
    return dir
  }

  test('a glob that matches nothing beside others is a problem naming it', async () => {
    const dir = await workspace({ 'a.json': JSON.stringify(minimal) })
    try {
      const outcome = await loadDefinitions({
        cwd: dir,
        globs: ['*.json', 'wokflows/*.yaml']
      })
      expect(outcome.definitions).toEqual([])
      expect(outcome.problems).toEqual([
        expect.objectContaining({
          field: 'workflows',
          message: expect.stringContaining('"wokflows/*.yaml" matches no file')
        })
      ])
    } finally {
      await rm(dir, { recursive: true })
    }
  })

  test('extensions match whatever their case; negated globs exclude', async () => {
    const dir = await workspace({
      'a.YAML': 'workflowId: w1\nname: W1\nsteps: []\n',
      'b.json': JSON.stringify({ ...minimal, workflowId: 'w2' })
    })
    try {
      const outcome = await loadDefinitions({
        cwd: dir,
        globs: ['*.{json,yaml}', '!b.json']
      })
      expect(outcome.problems).toEqual([])
      expect(outcome.files).toEqual(['a.YAML'])
    } finally {
      await rm(dir, { recursive: true })
    }
  })

  test('a .json file must be JSON, not YAML that happens to load', () => {
    const trailingComma =
      '{\n  "workflowId": "w1",\n  "name": "W1",\n  "steps": [],\n}\n'
    expect(parseDefinition('a.json', trailingComma).problems).toEqual([
      expect.objectContaining({
        file: 'a.json',
        line: 4,
        message: expect.stringContaining(
          'not valid JSON: a trailing comma before the closing bracket'
        )
      })
    ])
    const yamlText = 'workflowId: w1\nname: W1\nsteps: []\n'
    expect(parseDefinition('a.json', yamlText).problems).toHaveLength(1)
    expect(parseDefinition('a.yaml', yamlText).problems).toEqual([])
  })
})

describe('messages that help the fix', () => {
  const messages = (text: string): string[] =>
    parseDefinition('a.yaml', text).problems.map(
      (problem) => `${problem.line} ${problem.field}: ${problem.message}`
    )

  test('a step without a type still reports its other problems', () => {
    const text =
      'workflowId: w1\nname: W\nsteps:\n  - stepId: s2\n    nmae: Two\n'
    expect(messages(text)).toEqual([
      expect.stringMatching(
        /^4 steps\[0\]\.type: Missing required field "type"/
      ),
      '5 steps[0].nmae: Unknown key "nmae" in steps[0]; use "name".'
    ])
  })

  test('hints for missing fields read right in JSON as in YAML', () => {
    const { problems } = parseDefinition(
      'a.json',
      '{"workflowId": "w1", "name": "W"}'
    )
    expect(problems.map((p) => p.message)).toEqual([
      'Missing required field "steps" in the workflow; add "steps" as an ' +
        'empty list if the workflow has no steps yet.'
    ])
  })

  test('yes and no are not booleans in YAML 1.2, and the message says so', () => {
    const text = 'workflowId: w1\nname: W\nactive: no\nsteps: []\n'
    expect(messages(text)).toEqual([
      '3 active: active must be true or false, not the text "no"; ' +
        'write false, without quotes.'
    ])
  })
})

describe('duplicate ids among valid and invalid files', () => {
  test('a file with other mistakes still counts as a copy of its id', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'novu-dupes-'))
    try {
      await writeFile(
        path.join(dir, 'one.yaml'),
        'workflowId: a2\nname: One\nsteps: []\n'
      )
      await writeFile(
        path.join(dir, 'two.yaml'),
        'workflowId: a2\nname: Two\ntags: [x, x]\nsteps: []\n'
      )
      const outcome = await loadDefinitions({ cwd: dir, globs: ['*.yaml'] })
      expect(outcome.definitions).toEqual([])
      const duplicates = outcome.problems.filter(
        (problem) => problem.field === 'workflowId'
      )
      expect(duplicates.map((p) => [p.file, p.line])).toEqual([
        ['one.yaml', 1],
        ['two.yaml', 1]
      ])
      expect(outcome.problems.some((p) => p.field.startsWith('tags'))).toBe(
        true
      )
    } finally {
      await rm(dir, { recursive: true })
    }
  })

  test('a repeated key in a .json file is called invalid JSON', () => {
    const text = '{"workflowId":"d","name":"B","name":"C","steps":[]}'
    expect(parseDefinition('d.json', text).problems).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(
          'not valid JSON: Map keys must be unique'
        )
      })
    ])
  })
})
