/*
 * The jest environment of the tests: Node's, plus one copy per test worker of the WebAssembly
 * CloudFormation validator that aws-cdk-lib's built-in validation uses (@aws/cloudformation-validate),
 * with its engines kept by their configuration. Jest loads every module again for each test file,
 * and aws-cdk-lib builds an engine (compiling its rules for the template's resource types) in each
 * file, which costs a second or two a file. Here the module is loaded once, outside the test files'
 * module registry, and handed to them through moduleNameMapper (test/setup/cloudformation-validate.js);
 * an engine of a configuration seen before in this worker is reused (an engine keeps no state
 * between validations; `free` of a kept engine does nothing), and so is its report on a template
 * it has validated before.
 *
 * The validator accepts only plain objects of its own realm, so what a test file passes it (objects
 * made in the file's context) is copied into this realm first; its own objects pass as they are.
 * test/core/compliance-helper.test.ts checks that its findings still reach the tests.
 */
const crypto = require('crypto');
const { TestEnvironment } = require('jest-environment-node');

let shared;

function loadShared() {
  if (shared) { return shared; }
  const real = require(require.resolve('@aws/cloudformation-validate', { paths: [require.resolve('aws-cdk-lib')] }));
  const classes = Object.values(real).filter((v) => typeof v === 'function' && v.prototype);
  const targets = new WeakMap(); // wrapper -> the validator's own object
  const own = (v) => classes.some((c) => v instanceof c);

  /** A value from a test file's realm, rebuilt in this one (the validator's own objects unwrapped). */
  const toRealm = (v) => {
    if (v === null || typeof v !== 'object') { return v; }
    if (targets.has(v)) { return targets.get(v); }
    if (own(v)) { return v; }
    if (ArrayBuffer.isView(v)) { return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice(); }
    if (Array.isArray(v)) { return v.map(toRealm); }
    if (Object.prototype.toString.call(v) === '[object Map]') {
      return new Map([...v].map(([k, x]) => [toRealm(k), toRealm(x)]));
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toRealm(x)]));
  };

  /**
   * A kept engine's validation of a template seen before in this worker (the same bytes, the same
   * options): its report again, with the template's name (its path) put back in. Fixtures repeat
   * templates: every project of the same stage settings has the same stage template.
   */
  const reports = new Map();
  const validateCached = (engineKey, method, t, args) => {
    const [template, ...rest] = args;
    if (typeof template?.readBytes !== 'function') { return method.apply(t, args); }
    const name = template.name ?? template.path ?? '';
    const key = crypto.createHash('sha256').update(engineKey).update('\0').update(template.readBytes())
      .update('\0').update(JSON.stringify(rest)).digest('hex');
    if (!reports.has(key)) {
      const report = method.apply(t, args);
      let text;
      try { text = JSON.stringify(report); } catch { return report; }
      if (text === undefined) { return report; }
      reports.set(key, { text, name });
    }
    const { text, name: cachedName } = reports.get(key);
    const json = cachedName ? text.split(JSON.stringify(cachedName).slice(1, -1)).join(JSON.stringify(name).slice(1, -1)) : text;
    return JSON.parse(json);
  };

  /** One of the validator's objects, its methods taking test-file values. */
  const wrap = (target, engineKey) => {
    const wrapper = new Proxy(target, {
      get(t, key) {
        if (engineKey && key === 'free') { return () => undefined; }
        const value = Reflect.get(t, key, t);
        if (typeof value !== 'function') { return value; }
        if (engineKey && key === 'validateTemplate') { return (...args) => validateCached(engineKey, value, t, args.map(toRealm)); }
        return (...args) => value.apply(t, args.map(toRealm));
      },
    });
    targets.set(wrapper, target);
    return wrapper;
  };

  const engines = new Map(); // configuration digest -> engine
  const construct = (name, cls, args) => {
    const realArgs = args.map(toRealm);
    if (name !== 'CompositeEngine') { return wrap(Reflect.construct(cls, realArgs), undefined); }
    const key = crypto.createHash('sha256').update(JSON.stringify(realArgs, (_k, x) => (x instanceof Map ? [...x] : x))).digest('hex');
    if (!engines.has(key)) { engines.set(key, wrap(Reflect.construct(cls, realArgs), key)); }
    return engines.get(key);
  };

  shared = {};
  for (const [name, value] of Object.entries(real)) {
    shared[name] = typeof value === 'function' && value.prototype
      ? new Proxy(value, { construct: (cls, args) => construct(name, cls, args) })
      : typeof value === 'function' ? (...args) => value(...args.map(toRealm)) : value;
  }
  return shared;
}

class MlopsTestEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    Object.defineProperty(this.global, '__mlopsCloudFormationValidate', { get: loadShared });
  }
}

module.exports = MlopsTestEnvironment;
