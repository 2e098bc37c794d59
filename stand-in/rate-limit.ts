export interface RateDecision {
  allowed: boolean
  headers: Record<string, string>
}

// One token bucket per secret key, refilled continuously; the burst equals
// the per-second rate. Headers follow the IETF RateLimit fields that Novu
// sends, so a client can size its concurrency from them.
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(private readonly perSecond: number) {}

  take(key: string): RateDecision {
    const now = Date.now()
    const bucket = this.buckets.get(key) ?? { tokens: this.perSecond, at: now }
    bucket.tokens = Math.min(
      this.perSecond,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond
    )
    bucket.at = now
    this.buckets.set(key, bucket)

    const allowed = bucket.tokens >= 1
    if (allowed) bucket.tokens -= 1

    const untilFull = (this.perSecond - bucket.tokens) / this.perSecond
    const headers: Record<string, string> = {
      'RateLimit-Limit': String(this.perSecond),
      'RateLimit-Remaining': String(Math.floor(bucket.tokens)),
      'RateLimit-Reset': String(Math.ceil(untilFull)),
      'RateLimit-Policy':
        `${this.perSecond};w=1;burst=${this.perSecond};` +
        'comment="token bucket";category="configuration"'
    }
    if (!allowed) {
      const wait = (1 - bucket.tokens) / this.perSecond
      headers['Retry-After'] = String(Math.max(1, Math.ceil(wait)))
    }
    return { allowed, headers }
  }
}
