// CloudAPI's per-login throttle (sapi_manifests/cloudapi userThrottles.all: burst 30,
// rate 10/s; cloudapi.md §3.6): one restify.throttle({username: true}) per endpoint group,
// exactly as CloudAPI's lib/throttle.js builds them, so the bucket arithmetic and the
// 429 TooManyRequestsError "You have exceeded your request rate of 10 r/s." are restify's.
// This class only adds the on/off switch and reconfiguration for the admin API.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const restify = require("restify");

export class Throttle {
  constructor({ burst = 30, rate = 10, enabled = true } = {}) {
    this.burst = burst;
    this.rate = rate;
    this.enabled = enabled;
    /** group → restify throttle handler (rebuilt on configure, which resets the buckets) */
    this.instances = new Map();
  }

  /** Change settings (admin API); resets the buckets. */
  configure({ enabled, burst, rate }) {
    if (enabled !== undefined) this.enabled = !!enabled;
    if (burst !== undefined) this.burst = Number(burst);
    if (rate !== undefined) this.rate = Number(rate);
    this.instances.clear();
  }

  /** restify handler for one endpoint group. */
  middleware(group) {
    return (req, res, next) => {
      if (!this.enabled) return next();
      let t = this.instances.get(group);
      if (!t) {
        t = restify.throttle({ burst: this.burst, rate: this.rate, username: true });
        this.instances.set(group, t);
      }
      return t(req, res, next);
    };
  }
}
