// CloudAPI's per-login throttle (sapi_manifests/cloudapi userThrottles.all: burst 30,
// rate 10/s), one token bucket per login per endpoint group (cloudapi.md §3.6):
// 429 TooManyRequestsError "You have exceeded your request rate of 10 r/s.", no Retry-After.
import { tooManyRequests } from "./errors.mjs";

export class Throttle {
  constructor({ burst = 30, rate = 10, enabled = true, now = () => Date.now() } = {}) {
    this.burst = burst;
    this.rate = rate;
    this.enabled = enabled;
    this.now = now;
    /** "<login>|<group>" → {tokens, last} */
    this.buckets = new Map();
  }

  /** Change settings (admin API); resets the buckets. */
  configure({ enabled, burst, rate }) {
    if (enabled !== undefined) this.enabled = !!enabled;
    if (burst !== undefined) this.burst = Number(burst);
    if (rate !== undefined) this.rate = Number(rate);
    this.buckets.clear();
  }

  /** Take one token; false when the bucket is empty. */
  take(login, group) {
    const key = `${login}|${group}`;
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, last: t };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.last) / 1000) * this.rate);
    b.last = t;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** restify handler for one endpoint group. */
  middleware(group) {
    return (req, res, next) => {
      if (!this.enabled || !req.account) return next();
      if (this.take(req.username || req.account.login, group)) return next();
      return next(tooManyRequests(`You have exceeded your request rate of ${this.rate} r/s.`));
    };
  }
}
