import { describe, expect, test } from '@jest/globals'
import type { RemoteWorkflow, WorkflowDefinition } from '../src/engine/model.js'
import { asDefinition, compareWorkflow } from '../src/engine/plan/compare.js'

function definition(): WorkflowDefinition {
  return {
    workflowId: 'order-shipped',
    name: 'Order shipped',
    description: '',
    tags: ['orders'],
    active: true,
    validatePayload: false,
    payloadSchema: null,
    preferences: null,
    severity: 'none',
    isTranslationEnabled: false,
    steps: [
      {
        stepId: 'inbox',
        name: 'Inbox',
        type: 'in_app',
        controlValues: { body: 'Shipped {{payload.id}}' }
      },
      {
        stepId: 'mail',
        name: 'Mail',
        type: 'email',
        controlValues: {
          subject: 'Shipped',
          body: '<p>x</p>',
          editorType: 'html'
        }
      }
    ]
  }
}

function remote(from: WorkflowDefinition): RemoteWorkflow {
  return {
    ...structuredClone(from),
    internalId: 'w1',
    origin: 'novu-cloud',
    status: 'ACTIVE',
    issues: [],
    steps: from.steps.map((step, index) => ({
      ...structuredClone(step),
      internalId: `s${index}`
    }))
  }
}

describe('compareWorkflow', () => {
  test('an identical copy has no changes', () => {
    expect(compareWorkflow(definition(), remote(definition()))).toEqual([])
  })

  test('empty values Novu fills in are not changes', () => {
    const held = remote(definition())
    held.steps[1]!.controlValues.disableOutputSanitization = false
    held.steps[1]!.controlValues.layoutId = null
    held.payloadSchema = {}
    expect(compareWorkflow(definition(), held)).toEqual([])
  })

  test('a changed control names the step and the field', () => {
    const wanted = definition()
    wanted.steps[1]!.controlValues.subject = 'On its way'
    expect(compareWorkflow(wanted, remote(definition()))).toEqual([
      {
        path: 'steps.mail.controlValues.subject',
        before: 'Shipped',
        after: 'On its way'
      }
    ])
  })

  test('a control Novu holds with a value the file drops is a change', () => {
    const held = remote(definition())
    held.steps[0]!.controlValues.subject = 'Old subject'
    expect(compareWorkflow(definition(), held)).toEqual([
      {
        path: 'steps.inbox.controlValues.subject',
        before: 'Old subject',
        after: undefined
      }
    ])
  })

  test('scalars, tags, added, removed and reordered steps', () => {
    const wanted = definition()
    wanted.active = false
    wanted.tags = ['orders', 'shipping']
    wanted.steps = [
      wanted.steps[1]!,
      wanted.steps[0]!,
      { stepId: 'text', name: 'Text', type: 'sms', controlValues: {} }
    ]
    const held = remote(definition())
    held.steps.push({
      internalId: 's9',
      stepId: 'gone',
      name: 'Gone',
      type: 'chat',
      controlValues: {}
    })
    const paths = compareWorkflow(wanted, held).map((change) => change.path)
    expect(paths).toEqual([
      'active',
      'tags',
      'steps.gone',
      'steps.text',
      'steps (order)'
    ])
  })

  test('preferences: defaults Novu adds are ignored, a switch is not', () => {
    const wanted = definition()
    wanted.preferences = {
      workflow: {
        all: { enabled: true },
        channels: { email: { enabled: false } }
      }
    }
    const held = remote(definition())
    held.preferences = {
      workflow: {
        all: { enabled: true, readOnly: false },
        channels: {
          email: { enabled: false },
          sms: { enabled: true },
          in_app: { enabled: true }
        }
      },
      user: null
    }
    expect(compareWorkflow(wanted, held)).toEqual([])

    held.preferences.workflow!.channels.sms = { enabled: false }
    expect(compareWorkflow(wanted, held).map((c) => c.path)).toEqual([
      'preferences.workflow.channels.sms'
    ])
  })

  test('a definition read back from Novu equals its source', () => {
    const held = remote(definition())
    expect(compareWorkflow(asDefinition(held), held)).toEqual([])
  })
})
