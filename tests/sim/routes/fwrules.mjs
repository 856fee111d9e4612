// Firewall rules (cloudapi lib/rules.js + ListFirewallRuleMachines from lib/machines.js,
// cloudapi.md §4.13). Rule text is checked with a parser for FWAPI's rule language
// (FROM <targets> TO <targets> ALLOW|BLOCK <protocol> <ports/types> [PRIORITY n]); bad text
// gets FWAPI's 422 InvalidParameters with `errors`, passed through by CloudAPI. The parsed
// targets (`vm <uuid>`, `tag <name> [= <value>]`, `all vms`) decide which machines a rule
// affects. One global rule is seeded: it can be read, but not modified (409) or deleted (403).
import { ensureResourceModel } from "../lib/res-common.mjs";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const PROTOCOLS = ["tcp", "udp", "icmp", "icmp6", "ah", "esp"];

/** Split rule text into tokens: words, quoted strings, parentheses, commas, "=". */
function tokenize(text) {
  const out = [];
  const re = /\s*(?:("(?:[^"\\]|\\.)*")|([(),=])|([^\s(),="]+))/y;
  let m;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    m = re.exec(text);
    if (!m || m[0].length === 0) break;
    const start = pos + m[0].length - (m[1] || m[2] || m[3] || "").length;
    if (m[1]) out.push({ v: JSON.parse(m[1]), quoted: true, at: start });
    else if (m[2]) out.push({ v: m[2], at: start });
    else if (m[3]) out.push({ v: m[3], at: start });
    pos = re.lastIndex;
    if (/^\s*$/.test(text.slice(pos))) break;
  }
  return out;
}

/** Parse FWAPI rule text. Returns {from, to, action, protocol} or throws Error(message). */
export function parseRule(text) {
  const toks = tokenize(String(text));
  let i = 0;
  const peek = () => toks[i];
  const word = () => (toks[i] && !toks[i].quoted ? toks[i].v.toLowerCase() : undefined);
  const fail = (expected) => {
    const t = toks[i];
    const at = t ? t.at + 1 : String(text).length + 1;
    throw new Error(`Error at character ${at}: '${t ? t.v : "EOF"}', expected: ${expected}, found: ${t ? "'" + t.v + "'" : "EOF"}`);
  };
  const expect = (w) => {
    if (word() !== w.toLowerCase()) fail(`'${w}'`);
    i++;
  };
  const target = () => {
    const w = word();
    if (w === "any") {
      i++;
      return { type: "any" };
    }
    if (w === "all") {
      i++;
      expect("vms");
      return { type: "all vms" };
    }
    if (w === "vm") {
      i++;
      const t = peek();
      if (!t || !UUID_RE.test(t.v)) fail("UUID");
      i++;
      return { type: "vm", value: t.v.toLowerCase() };
    }
    if (w === "ip") {
      i++;
      const t = peek();
      const mm = t && IPV4_RE.exec(t.v);
      if (!mm || mm.slice(1).some((x) => Number(x) > 255)) fail("IP address");
      i++;
      return { type: "ip", value: t.v };
    }
    if (w === "subnet") {
      i++;
      const t = peek();
      if (!t || !/^\d+\.\d+\.\d+\.\d+\/\d{1,2}$/.test(t.v)) fail("subnet");
      i++;
      return { type: "subnet", value: t.v };
    }
    if (w === "tag") {
      i++;
      const t = peek();
      if (!t || ["(", ")", ",", "="].includes(t.v)) fail("tag name");
      i++;
      const tag = { type: "tag", value: t.v };
      if (peek() && peek().v === "=") {
        i++;
        const v = peek();
        if (!v || ["(", ")", ","].includes(v.v)) fail("tag value");
        i++;
        tag.tagValue = v.v;
      }
      return tag;
    }
    return fail("'any', 'all vms', 'vm', 'ip', 'subnet', 'tag' or '('");
  };
  const targets = () => {
    if (peek() && peek().v === "(") {
      i++;
      const list = [target()];
      while (word() === "or") {
        i++;
        list.push(target());
      }
      if (!peek() || peek().v !== ")") fail("'OR' or ')'");
      i++;
      return list;
    }
    return [target()];
  };
  const port = () => {
    const t = peek();
    if (t && t.v.toLowerCase() === "all") {
      i++;
      return;
    }
    const mm = t && /^(\d+)(?:-(\d+))?$/.exec(t.v);
    if (!mm || Number(mm[1]) < 1 || Number(mm[1]) > 65535 || (mm[2] && (Number(mm[2]) > 65535 || Number(mm[2]) < Number(mm[1])))) fail("port number");
    i++;
  };

  expect("FROM");
  const from = targets();
  expect("TO");
  const to = targets();
  const action = word();
  if (action !== "allow" && action !== "block") fail("'ALLOW' or 'BLOCK'");
  i++;
  const protocol = word();
  if (!PROTOCOLS.includes(protocol)) fail(PROTOCOLS.map((p) => `'${p}'`).join(", "));
  i++;
  if (protocol === "tcp" || protocol === "udp") {
    if (peek() && peek().v === "(") {
      i++;
      expect("PORT");
      port();
      while (word() === "and") {
        i++;
        expect("PORT");
        port();
      }
      if (!peek() || peek().v !== ")") fail("'AND' or ')'");
      i++;
    } else if (word() === "port") {
      i++;
      port();
    } else if (word() === "ports") {
      i++;
      port();
      while (peek() && peek().v === ",") {
        i++;
        port();
      }
    } else {
      fail("'PORT', 'PORTS' or '('");
    }
  } else if (protocol === "icmp" || protocol === "icmp6") {
    expect("TYPE");
    const t = peek();
    if (!t || !(t.v.toLowerCase() === "all" || (/^\d+$/.test(t.v) && Number(t.v) <= 255))) fail("ICMP type");
    i++;
    if (word() === "code") {
      i++;
      if (!peek() || !/^\d+$/.test(peek().v)) fail("ICMP code");
      i++;
    }
  }
  if (word() === "priority") {
    i++;
    if (!peek() || !/^\d+$/.test(peek().v) || Number(peek().v) > 100) fail("priority 0-100");
    i++;
  }
  if (i < toks.length) fail("end of rule");
  return { from, to, action, protocol };
}

/** True when one of the parsed targets names machine `m`. */
function targetsMachine(list, m) {
  return list.some((t) => {
    if (t.type === "all vms") return true;
    if (t.type === "vm") return t.value === m.id;
    if (t.type === "tag") {
      if (!Object.prototype.hasOwnProperty.call(m.tags || {}, t.value)) return false;
      return t.tagValue === undefined || String(m.tags[t.value]) === t.tagValue;
    }
    return false;
  });
}

export function register(ctx) {
  const { store, errors } = ctx;
  ensureResourceModel(store);

  if (![...store.fwrules.values()].some((r) => r.global)) {
    const id = store.uuid();
    store.fwrules.set(id, { id, owner: null, rule: "FROM any TO all vms ALLOW icmp TYPE 8 CODE 0", enabled: true, log: false, global: true, description: "allow pings to all VMs" });
  }

  const ruleJson = (r) => {
    const o = { id: r.id, rule: r.rule, enabled: r.enabled, log: r.log || false };
    if (r.global) o.global = r.global;
    if (r.description) o.description = r.description;
    return o;
  };

  const invalidParams = (field, message) => errors.restError(422, "InvalidParameters", "Invalid parameters", { errors: [{ field, code: "InvalidParameter", message }] });

  const checkRule = (text) => {
    if (typeof text !== "string") throw invalidParams("rule", "rule must be a string");
    try {
      return parseRule(text);
    } catch (e) {
      throw invalidParams("rule", e.message);
    }
  };

  const bool = (v, field) => {
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw invalidParams(field, `${field} must be true or false`);
  };

  /** FWAPI getRule for an owner: own rules and global ones; bad uuid → 422, unknown → 404. */
  const findRule = (req) => {
    const id = String(req.params.id);
    if (!UUID_RE.test(id)) throw invalidParams("uuid", "Invalid UUID");
    const r = store.fwrules.get(id.toLowerCase());
    if (!r || (!r.global && r.owner !== req.account.id)) throw errors.notFound("Rule not found");
    return r;
  };

  /** FWAPI refuses owner-scoped changes to global rules (403 Forbidden). */
  const ownedRule = (req) => {
    const r = findRule(req);
    if (r.global) {
      throw errors.restError(403, "Forbidden", "owner does not match", { errors: [{ field: "owner_uuid", code: "InvalidParameter", message: "owner_uuid does not match" }] });
    }
    return r;
  };

  const affected = (req, r) => {
    const parsed = parseRule(r.rule);
    return store.machinesOf(req.account).filter((m) => !m.destroyed && (targetsMachine(parsed.from, m) || targetsMachine(parsed.to, m)));
  };

  ctx.route("GET", "/:account/fwrules", "ListFirewallRules", (req) =>
    [...store.fwrules.values()].filter((r) => !r.global && r.owner === req.account.id).map(ruleJson),
  );

  ctx.route("POST", "/:account/fwrules", "CreateFirewallRule", (req, res) => {
    const p = req.params;
    if (!p.rule) throw errors.missingParameter("rule is a required argument");
    checkRule(p.rule);
    const r = {
      id: store.uuid(),
      owner: req.account.id,
      rule: p.rule.trim(),
      enabled: p.enabled ? bool(p.enabled, "enabled") : false,
      log: p.log ? bool(p.log, "log") : false,
      created: store.isoNow(),
    };
    if (p.description) r.description = String(p.description);
    store.fwrules.set(r.id, r);
    ctx.tagNew(req, `/${req.account.login}/fwrules/${r.id}`);
    res.send(201, ruleJson(r));
  });

  ctx.route("GET", "/:account/fwrules/:id", "GetFirewallRule", (req) => ruleJson(findRule(req)));

  ctx.route("POST", "/:account/fwrules/:id", "UpdateFirewallRule", (req) => {
    const p = req.params;
    const r = findRule(req);
    if (r.global) throw errors.invalidArgument("global rules cannot be modified");
    if (p.rule !== undefined) checkRule(p.rule);
    const enabled = p.enabled !== undefined ? bool(p.enabled, "enabled") : r.enabled;
    const log = p.log !== undefined ? bool(p.log, "log") : r.log;
    if (p.rule !== undefined) r.rule = p.rule.trim();
    r.enabled = enabled;
    r.log = log;
    if (p.description !== undefined) {
      if (p.description === "") delete r.description;
      else r.description = String(p.description);
    }
    return ruleJson(r);
  });

  ctx.route("POST", "/:account/fwrules/:id/enable", "EnableFirewallRule", (req) => {
    const r = ownedRule(req);
    r.enabled = true;
    return ruleJson(r);
  });

  ctx.route("POST", "/:account/fwrules/:id/disable", "DisableFirewallRule", (req) => {
    const r = ownedRule(req);
    r.enabled = false;
    return ruleJson(r);
  });

  ctx.route("DELETE", "/:account/fwrules/:id", "DeleteFirewallRule", (req, res) => {
    const r = ownedRule(req);
    store.fwrules.delete(r.id);
    store.roleTags.delete(`/${req.account.login}/fwrules/${r.id}`);
    res.send(204);
  });

  ctx.route("GET", "/:account/fwrules/:id/machines", "ListFirewallRuleMachines", (req, res) => {
    const r = findRule(req);
    const list = affected(req, r).map((m) => store.machineJson(m, { version: ctx.version(req) }));
    res.header("x-resource-count", list.length);
    res.send(200, list);
  });

  ctx.route("GET", "/:account/machines/:machine/fwrules", "ListMachineFirewallRules", (req) => {
    const m = ctx.getMachine(req, { allowDeleted: true });
    return [...store.fwrules.values()]
      .filter((r) => r.global || r.owner === req.account.id)
      .filter((r) => {
        const parsed = parseRule(r.rule);
        return targetsMachine(parsed.from, m) || targetsMachine(parsed.to, m);
      })
      .map(ruleJson);
  }, { group: "fwrules" });
}
