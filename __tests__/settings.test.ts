/**
 * Misuse caught before a request leaves the runner: a URL that would
 * send the key in clear text, a versioned or slashed base URL, values
 * out of range. The Staging key refusal needs Novu's answer and is
 * proved end to end in action.e2e.test.ts.
 */
import { describe, expect, test } from '@jest/globals'
import {
  checkSecretKey,
  normaliseApiUrl,
  parseConcurrency,
  parseMilliseconds,
  parseMode,
  SettingsError,
  splitList
} from '../src/engine/settings.js'
import { commaHint } from '../src/engine/definitions/load.js'

describe('api-url', () => {
  test.each([
    ['https://api.novu.co', 'https://api.novu.co'],
    ['https://api.novu.co/', 'https://api.novu.co'],
    ['https://api.novu.co/v1', 'https://api.novu.co'],
    ['https://api.novu.co/v1/', 'https://api.novu.co'],
    ['https://api.novu.co/v2', 'https://api.novu.co'],
    ['  https://eu.api.novu.co  ', 'https://eu.api.novu.co'],
    ['https://novu.example.com/api/v1', 'https://novu.example.com/api'],
    ['https://novu.example.com:8443/', 'https://novu.example.com:8443'],
    ['http://127.0.0.1:3000/v1', 'http://127.0.0.1:3000'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://[::1]:3000', 'http://[::1]:3000']
  ])('%s becomes %s', (raw, expected) => {
    expect(normaliseApiUrl(raw)).toBe(expected)
  })

  test.each([
    'http://api.novu.co',
    'http://10.0.0.5:3000',
    'http://novu.internal',
    'http://127.0.0.1.example.com'
  ])('plain http to %s is refused before the key is sent', (raw) => {
    expect(() => normaliseApiUrl(raw)).toThrow(SettingsError)
    expect(() => normaliseApiUrl(raw)).toThrow(
      /plain http .*unencrypted.*allow-insecure-http: true/
    )
  })

  test('plain http to another host is allowed when the user says so', () => {
    expect(normaliseApiUrl('http://novu.internal:3000/', true)).toBe(
      'http://novu.internal:3000'
    )
  })

  test.each([
    ['api.novu.co', /not a URL.*https:\/\/api\.novu\.co/],
    ['', /not a URL/],
    ['ftp://api.novu.co', /uses "ftp:"; use an https:\/\/ URL/],
    ['https://user:pass@api.novu.co', /carries credentials/]
  ])('%j is refused with what to use instead', (raw, message) => {
    expect(() => normaliseApiUrl(raw)).toThrow(message)
  })

  test('a refusal does not echo credentials in the URL', () => {
    let message = ''
    try {
      normaliseApiUrl('https://user:hunter2secret@api.novu.co')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('carries credentials')
    expect(message).not.toContain('hunter2secret')
  })
})

describe('other inputs', () => {
  test.each([
    ['', 'auto'],
    ['auto', 'auto'],
    [' 8 ', 8],
    ['1', 1],
    ['100', 100]
  ] as const)('concurrency %j is %j', (raw, expected) => {
    expect(parseConcurrency(raw)).toBe(expected)
  })

  test.each(['0', '101', '2.5', 'many', '-1'])(
    'concurrency %j is refused',
    (raw) => {
      expect(() => parseConcurrency(raw)).toThrow(
        /use "auto" or a whole number from 1 to 100/
      )
    }
  )

  test('mode defaults to deploy and names the modes when wrong', () => {
    expect(parseMode('')).toBe('deploy')
    expect(parseMode(' plan ')).toBe('plan')
    expect(() => parseMode('apply')).toThrow(
      /^Input "mode" is "apply"; use one of validate, plan, upsert, sync, deploy/
    )
  })

  test('lists split on newlines and, for ids, commas', () => {
    expect(splitList('a, b\n\n c ,')).toEqual(['a', 'b', 'c'])
    expect(splitList('novu/**/*.{json,yaml}\n', false)).toEqual([
      'novu/**/*.{json,yaml}'
    ])
  })

  test('timeouts from the environment are whole milliseconds', () => {
    expect(parseMilliseconds('NOVU_REQUEST_TIMEOUT_MS', undefined)).toBe(
      undefined
    )
    expect(parseMilliseconds('NOVU_REQUEST_TIMEOUT_MS', ' ')).toBe(undefined)
    expect(parseMilliseconds('NOVU_REQUEST_TIMEOUT_MS', '1500')).toBe(1500)
    for (const bad of ['0', '1.5', 'soon', '600001']) {
      expect(() => parseMilliseconds('NOVU_RETRY_BUDGET_MS', bad)).toThrow(
        `Environment variable "NOVU_RETRY_BUDGET_MS" is "${bad}"`
      )
    }
  })
})

describe('pasted mistakes', () => {
  test('a key with its header scheme in front is refused without the key', () => {
    for (const key of ['Bearer sk_abc123', 'ApiKey sk_abc123']) {
      expect(() => checkSecretKey(key)).toThrow(
        /starts with "(Bearer|ApiKey) "/
      )
      try {
        checkSecretKey(key)
      } catch (error) {
        expect((error as Error).message).not.toContain('sk_abc123')
      }
    }
    expect(() => checkSecretKey('sk_abc123')).not.toThrow()
    expect(() => checkSecretKey('')).not.toThrow()
  })

  test('a comma joining two globs gets a hint; braces do not', () => {
    expect(commaHint('a/*.json,b/*.yaml')).toContain('one per line')
    expect(commaHint('novu/**/*.{json,yaml,yml}')).toBe('')
  })
})
