"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __commonJS = (cb, mod) => function __require() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __export = (target2, all) => {
  for (var name2 in all)
    __defProp(target2, name2, { get: all[name2], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target2) => (target2 = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target2, "default", { value: mod, enumerable: true }) : target2,
  mod
));
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/util.js
var require_util = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/util.js"(exports2) {
    "use strict";
    exports2.getValueAsString = function getValueString(value) {
      if (Number.isNaN(value)) {
        return "Nan";
      } else if (!Number.isFinite(value)) {
        if (value < 0) {
          return "-Inf";
        } else {
          return "+Inf";
        }
      } else {
        return `${value}`;
      }
    };
    exports2.removeLabels = function removeLabels(hashMap, labels, sortedLabelNames) {
      const hash = hashObject(labels, sortedLabelNames);
      delete hashMap[hash];
    };
    exports2.setValue = function setValue(hashMap, value, labels) {
      const hash = hashObject(labels);
      hashMap[hash] = {
        value: typeof value === "number" ? value : 0,
        labels: labels || {}
      };
      return hashMap;
    };
    exports2.setValueDelta = function setValueDelta(hashMap, deltaValue, labels, hash = "") {
      const value = typeof deltaValue === "number" ? deltaValue : 0;
      if (hashMap[hash]) {
        hashMap[hash].value += value;
      } else {
        hashMap[hash] = { value, labels };
      }
      return hashMap;
    };
    exports2.getLabels = function(labelNames, args) {
      if (typeof args[0] === "object") {
        return args[0];
      }
      if (labelNames.length !== args.length) {
        throw new Error(
          `Invalid number of arguments (${args.length}): "${args.join(
            ", "
          )}" for label names (${labelNames.length}): "${labelNames.join(", ")}".`
        );
      }
      const acc = {};
      for (let i = 0; i < labelNames.length; i++) {
        acc[labelNames[i]] = args[i];
      }
      return acc;
    };
    function fastHashObject(keys, labels) {
      if (keys.length === 0) {
        return "";
      }
      let hash = "";
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const value = labels[key];
        if (value === void 0) continue;
        hash += `${key}:${value},`;
      }
      return hash;
    }
    function hashObject(labels, labelNames) {
      if (labelNames) {
        return fastHashObject(labelNames, labels);
      }
      const keys = Object.keys(labels);
      if (keys.length > 1) {
        keys.sort();
      }
      return fastHashObject(keys, labels);
    }
    exports2.hashObject = hashObject;
    exports2.isObject = function isObject2(obj) {
      return obj !== null && typeof obj === "object";
    };
    exports2.nowTimestamp = function nowTimestamp() {
      return Date.now() / 1e3;
    };
    var Grouper = class extends Map {
      /**
       * Adds the `value` to the `key`'s array of values.
       * @param {*} key Key to set.
       * @param {*} value Value to add to `key`'s array.
       * @returns {undefined} undefined.
       */
      add(key, value) {
        if (this.has(key)) {
          this.get(key).push(value);
        } else {
          this.set(key, [value]);
        }
      }
    };
    exports2.Grouper = Grouper;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/registry.js
var require_registry = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/registry.js"(exports2, module2) {
    "use strict";
    var { getValueAsString } = require_util();
    var Registry2 = class _Registry {
      static get PROMETHEUS_CONTENT_TYPE() {
        return "text/plain; version=0.0.4; charset=utf-8";
      }
      static get OPENMETRICS_CONTENT_TYPE() {
        return "application/openmetrics-text; version=1.0.0; charset=utf-8";
      }
      constructor(regContentType = _Registry.PROMETHEUS_CONTENT_TYPE) {
        this._metrics = {};
        this._collectors = [];
        this._defaultLabels = {};
        if (regContentType !== _Registry.PROMETHEUS_CONTENT_TYPE && regContentType !== _Registry.OPENMETRICS_CONTENT_TYPE) {
          throw new TypeError(`Content type ${regContentType} is unsupported`);
        }
        this._contentType = regContentType;
      }
      getMetricsAsArray() {
        return Object.values(this._metrics);
      }
      async getMetricsAsString(metrics) {
        const metric = typeof metrics.getForPromString === "function" ? await metrics.getForPromString() : await metrics.get();
        const name2 = escapeString(metric.name);
        const help = `# HELP ${name2} ${escapeString(metric.help)}`;
        const type = `# TYPE ${name2} ${metric.type}`;
        const values = [help, type];
        const defaultLabels = Object.keys(this._defaultLabels).length > 0 ? this._defaultLabels : null;
        const isOpenMetrics = this.contentType === _Registry.OPENMETRICS_CONTENT_TYPE;
        for (const val of metric.values || []) {
          let { metricName = name2, labels = {} } = val;
          const { sharedLabels = {} } = val;
          if (isOpenMetrics && metric.type === "counter") {
            metricName = `${metricName}_total`;
          }
          if (defaultLabels) {
            labels = { ...labels, ...defaultLabels, ...labels };
          }
          const formattedLabels = formatLabels(labels, sharedLabels);
          const flattenedShared = flattenSharedLabels(sharedLabels);
          const labelParts = [...formattedLabels, flattenedShared].filter(Boolean);
          const labelsString = labelParts.length ? `{${labelParts.join(",")}}` : "";
          let fullMetricLine = `${metricName}${labelsString} ${getValueAsString(
            val.value
          )}`;
          const { exemplar } = val;
          if (exemplar && isOpenMetrics) {
            const formattedExemplars = formatLabels(exemplar.labelSet);
            fullMetricLine += ` # {${formattedExemplars.join(
              ","
            )}} ${getValueAsString(exemplar.value)} ${exemplar.timestamp}`;
          }
          values.push(fullMetricLine);
        }
        return values.join("\n");
      }
      async metrics() {
        const isOpenMetrics = this.contentType === _Registry.OPENMETRICS_CONTENT_TYPE;
        const promises = this.getMetricsAsArray().map((metric) => {
          if (isOpenMetrics && metric.type === "counter") {
            metric.name = standardizeCounterName(metric.name);
          }
          return this.getMetricsAsString(metric);
        });
        const resolves = await Promise.all(promises);
        return isOpenMetrics ? `${resolves.join("\n")}
# EOF
` : `${resolves.join("\n\n")}
`;
      }
      registerMetric(metric) {
        if (this._metrics[metric.name] && this._metrics[metric.name] !== metric) {
          throw new Error(
            `A metric with the name ${metric.name} has already been registered.`
          );
        }
        this._metrics[metric.name] = metric;
      }
      clear() {
        this._metrics = {};
        this._defaultLabels = {};
      }
      async getMetricsAsJSON() {
        const metrics = [];
        const defaultLabelNames = Object.keys(this._defaultLabels);
        const promises = [];
        for (const metric of this.getMetricsAsArray()) {
          promises.push(metric.get());
        }
        const resolves = await Promise.all(promises);
        for (const item of resolves) {
          if (item.values && defaultLabelNames.length > 0) {
            for (const val of item.values) {
              val.labels = Object.assign({}, val.labels);
              for (const labelName of defaultLabelNames) {
                val.labels[labelName] = val.labels[labelName] || this._defaultLabels[labelName];
              }
            }
          }
          metrics.push(item);
        }
        return metrics;
      }
      removeSingleMetric(name2) {
        delete this._metrics[name2];
      }
      getSingleMetricAsString(name2) {
        return this.getMetricsAsString(this._metrics[name2]);
      }
      getSingleMetric(name2) {
        return this._metrics[name2];
      }
      setDefaultLabels(labels) {
        this._defaultLabels = labels;
      }
      resetMetrics() {
        for (const metric in this._metrics) {
          this._metrics[metric].reset();
        }
      }
      get contentType() {
        return this._contentType;
      }
      setContentType(metricsContentType) {
        if (metricsContentType === _Registry.OPENMETRICS_CONTENT_TYPE || metricsContentType === _Registry.PROMETHEUS_CONTENT_TYPE) {
          this._contentType = metricsContentType;
        } else {
          throw new Error(`Content type ${metricsContentType} is unsupported`);
        }
      }
      static merge(registers) {
        const regType = registers[0].contentType;
        for (const reg of registers) {
          if (reg.contentType !== regType) {
            throw new Error(
              "Registers can only be merged if they have the same content type"
            );
          }
        }
        const mergedRegistry = new _Registry(regType);
        const metricsToMerge = registers.reduce(
          (acc, reg) => acc.concat(reg.getMetricsAsArray()),
          []
        );
        metricsToMerge.forEach(mergedRegistry.registerMetric, mergedRegistry);
        return mergedRegistry;
      }
    };
    function formatLabels(labels, exclude) {
      const { hasOwnProperty } = Object.prototype;
      const formatted = [];
      for (const [name2, value] of Object.entries(labels)) {
        if (!exclude || !hasOwnProperty.call(exclude, name2)) {
          formatted.push(`${name2}="${escapeLabelValue(value)}"`);
        }
      }
      return formatted;
    }
    var sharedLabelCache = /* @__PURE__ */ new WeakMap();
    function flattenSharedLabels(labels) {
      const cached2 = sharedLabelCache.get(labels);
      if (cached2) {
        return cached2;
      }
      const formattedLabels = formatLabels(labels);
      const flattened = formattedLabels.join(",");
      sharedLabelCache.set(labels, flattened);
      return flattened;
    }
    function escapeLabelValue(str) {
      if (typeof str !== "string") {
        return str;
      }
      return escapeString(str).replace(/"/g, '\\"');
    }
    function escapeString(str) {
      return str.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
    }
    function standardizeCounterName(name2) {
      return name2.replace(/_total$/, "");
    }
    module2.exports = Registry2;
    module2.exports.globalRegistry = new Registry2();
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/validation.js
var require_validation = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/validation.js"(exports2) {
    "use strict";
    var util = require("util");
    var metricRegexp = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
    var labelRegexp = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
    exports2.validateMetricName = function(name2) {
      return metricRegexp.test(name2);
    };
    exports2.validateLabelName = function(names = []) {
      return names.every((name2) => labelRegexp.test(name2));
    };
    exports2.validateLabel = function validateLabel(savedLabels, labels) {
      for (const label in labels) {
        if (!savedLabels.includes(label)) {
          throw new Error(
            `Added label "${label}" is not included in initial labelset: ${util.inspect(
              savedLabels
            )}`
          );
        }
      }
    };
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metric.js
var require_metric = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metric.js"(exports2, module2) {
    "use strict";
    var Registry2 = require_registry();
    var { isObject: isObject2 } = require_util();
    var { validateMetricName, validateLabelName } = require_validation();
    var Metric = class {
      constructor(config2, defaults = {}) {
        if (!isObject2(config2)) {
          throw new TypeError("constructor expected a config object");
        }
        Object.assign(
          this,
          {
            labelNames: [],
            registers: [Registry2.globalRegistry],
            aggregator: "sum",
            enableExemplars: false
          },
          defaults,
          config2
        );
        if (!this.registers) {
          this.registers = [Registry2.globalRegistry];
        }
        if (!this.help) {
          throw new Error("Missing mandatory help parameter");
        }
        if (!this.name) {
          throw new Error("Missing mandatory name parameter");
        }
        if (!validateMetricName(this.name)) {
          throw new Error("Invalid metric name");
        }
        if (!validateLabelName(this.labelNames)) {
          throw new Error("Invalid label name");
        }
        if (this.collect && typeof this.collect !== "function") {
          throw new Error('Optional "collect" parameter must be a function');
        }
        if (this.labelNames) {
          this.sortedLabelNames = [...this.labelNames].sort();
        } else {
          this.sortedLabelNames = [];
        }
        this.reset();
        for (const register of this.registers) {
          if (this.enableExemplars && register.contentType === Registry2.PROMETHEUS_CONTENT_TYPE) {
            throw new TypeError(
              "Exemplars are supported only on OpenMetrics registries"
            );
          }
          register.registerMetric(this);
        }
      }
      reset() {
      }
    };
    module2.exports = { Metric };
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/exemplar.js
var require_exemplar = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/exemplar.js"(exports2, module2) {
    "use strict";
    var Exemplar = class {
      constructor(labelSet = {}, value = null) {
        this.labelSet = labelSet;
        this.value = value;
      }
      /**
       * Validation for the label set format.
       * https://github.com/OpenObservability/OpenMetrics/blob/d99b705f611b75fec8f450b05e344e02eea6921d/specification/OpenMetrics.md#exemplars
       *
       * @param {object} labelSet - Exemplar labels.
       * @throws {RangeError}
       * @return {void}
       */
      validateExemplarLabelSet(labelSet) {
        let res = "";
        for (const [labelName, labelValue] of Object.entries(labelSet)) {
          res += `${labelName}${labelValue}`;
        }
        if (res.length > 128) {
          throw new RangeError(
            "Label set size must be smaller than 128 UTF-8 chars"
          );
        }
      }
    };
    module2.exports = Exemplar;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/counter.js
var require_counter = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/counter.js"(exports2, module2) {
    "use strict";
    var util = require("util");
    var {
      hashObject,
      isObject: isObject2,
      getLabels,
      removeLabels,
      nowTimestamp
    } = require_util();
    var { validateLabel } = require_validation();
    var { Metric } = require_metric();
    var Exemplar = require_exemplar();
    var Counter2 = class extends Metric {
      constructor(config2) {
        super(config2);
        this.type = "counter";
        this.defaultLabels = {};
        this.defaultValue = 1;
        this.defaultExemplarLabelSet = {};
        if (config2.enableExemplars) {
          this.enableExemplars = true;
          this.inc = this.incWithExemplar;
        } else {
          this.inc = this.incWithoutExemplar;
        }
      }
      /**
       * Increment counter
       * @param {object} labels - What label you want to be incremented
       * @param {Number} value - Value to increment, if omitted increment with 1
       * @returns {object} results - object with information about the inc operation
       * @returns {string} results.labelHash - hash representation of the labels
       */
      incWithoutExemplar(labels, value) {
        let hash = "";
        if (isObject2(labels)) {
          hash = hashObject(labels, this.sortedLabelNames);
          validateLabel(this.labelNames, labels);
        } else {
          value = labels;
          labels = {};
        }
        if (value && !Number.isFinite(value)) {
          throw new TypeError(`Value is not a valid number: ${util.format(value)}`);
        }
        if (value < 0) {
          throw new Error("It is not possible to decrease a counter");
        }
        if (value === null || value === void 0) value = 1;
        setValue(this.hashMap, value, labels, hash);
        return { labelHash: hash };
      }
      /**
       * Increment counter with exemplar, same as inc but accepts labels for an
       * exemplar.
       * If no label is provided the current exemplar labels are kept unchanged
       * (defaults to empty set).
       *
       * @param {object} incOpts - Object with options about what metric to increase
       * @param {object} incOpts.labels - What label you want to be incremented,
       *                                  defaults to null (metric with no labels)
       * @param {Number} incOpts.value - Value to increment, defaults to 1
       * @param {object} incOpts.exemplarLabels - Key-value  labels for the
       *                                          exemplar, defaults to empty set {}
       * @returns {void}
       */
      incWithExemplar({
        labels = this.defaultLabels,
        value = this.defaultValue,
        exemplarLabels = this.defaultExemplarLabelSet
      } = {}) {
        const res = this.incWithoutExemplar(labels, value);
        this.updateExemplar(exemplarLabels, value, res.labelHash);
      }
      updateExemplar(exemplarLabels, value, hash) {
        if (exemplarLabels === this.defaultExemplarLabelSet) return;
        if (!isObject2(this.hashMap[hash].exemplar)) {
          this.hashMap[hash].exemplar = new Exemplar();
        }
        this.hashMap[hash].exemplar.validateExemplarLabelSet(exemplarLabels);
        this.hashMap[hash].exemplar.labelSet = exemplarLabels;
        this.hashMap[hash].exemplar.value = value ? value : 1;
        this.hashMap[hash].exemplar.timestamp = nowTimestamp();
      }
      /**
       * Reset counter
       * @returns {void}
       */
      reset() {
        this.hashMap = {};
        if (this.labelNames.length === 0) {
          setValue(this.hashMap, 0);
        }
      }
      async get() {
        if (this.collect) {
          const v = this.collect();
          if (v instanceof Promise) await v;
        }
        return {
          help: this.help,
          name: this.name,
          type: this.type,
          values: Object.values(this.hashMap),
          aggregator: this.aggregator
        };
      }
      labels(...args) {
        const labels = getLabels(this.labelNames, args) || {};
        return {
          inc: this.inc.bind(this, labels)
        };
      }
      remove(...args) {
        const labels = getLabels(this.labelNames, args) || {};
        validateLabel(this.labelNames, labels);
        return removeLabels.call(this, this.hashMap, labels, this.sortedLabelNames);
      }
    };
    function setValue(hashMap, value, labels = {}, hash = "") {
      if (hashMap[hash]) {
        hashMap[hash].value += value;
      } else {
        hashMap[hash] = { value, labels };
      }
      return hashMap;
    }
    module2.exports = Counter2;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/gauge.js
var require_gauge = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/gauge.js"(exports2, module2) {
    "use strict";
    var util = require("util");
    var {
      setValue,
      setValueDelta,
      getLabels,
      hashObject,
      isObject: isObject2,
      removeLabels
    } = require_util();
    var { validateLabel } = require_validation();
    var { Metric } = require_metric();
    var Gauge2 = class extends Metric {
      constructor(config2) {
        super(config2);
        this.type = "gauge";
      }
      /**
       * Set a gauge to a value
       * @param {object} labels - Object with labels and their values
       * @param {Number} value - Value to set the gauge to, must be positive
       * @returns {void}
       */
      set(labels, value) {
        value = getValueArg(labels, value);
        labels = getLabelArg(labels);
        set(this, labels, value);
      }
      /**
       * Reset gauge
       * @returns {void}
       */
      reset() {
        this.hashMap = {};
        if (this.labelNames.length === 0) {
          setValue(this.hashMap, 0, {});
        }
      }
      /**
       * Increment a gauge value
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @param {Number} value - Value to increment - if omitted, increment with 1
       * @returns {void}
       */
      inc(labels, value) {
        value = getValueArg(labels, value);
        labels = getLabelArg(labels);
        if (value === void 0) value = 1;
        setDelta(this, labels, value);
      }
      /**
       * Decrement a gauge value
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @param {Number} value - Value to decrement - if omitted, decrement with 1
       * @returns {void}
       */
      dec(labels, value) {
        value = getValueArg(labels, value);
        labels = getLabelArg(labels);
        if (value === void 0) value = 1;
        setDelta(this, labels, -value);
      }
      /**
       * Set the gauge to current unix epoch
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @returns {void}
       */
      setToCurrentTime(labels) {
        const now = Date.now() / 1e3;
        if (labels === void 0) {
          this.set(now);
        } else {
          this.set(labels, now);
        }
      }
      /**
       * Start a timer
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @returns {function} - Invoke this function to set the duration in seconds since you started the timer.
       * @example
       * var done = gauge.startTimer();
       * makeXHRRequest(function(err, response) {
       *	done(); //Duration of the request will be saved
       * });
       */
      startTimer(labels) {
        const start = process.hrtime();
        return (endLabels) => {
          const delta = process.hrtime(start);
          const value = delta[0] + delta[1] / 1e9;
          this.set(Object.assign({}, labels, endLabels), value);
          return value;
        };
      }
      async get() {
        if (this.collect) {
          const v = this.collect();
          if (v instanceof Promise) await v;
        }
        return {
          help: this.help,
          name: this.name,
          type: this.type,
          values: Object.values(this.hashMap),
          aggregator: this.aggregator
        };
      }
      _getValue(labels) {
        const hash = hashObject(labels || {}, this.sortedLabelNames);
        return this.hashMap[hash] ? this.hashMap[hash].value : 0;
      }
      labels(...args) {
        const labels = getLabels(this.labelNames, args);
        validateLabel(this.labelNames, labels);
        return {
          inc: this.inc.bind(this, labels),
          dec: this.dec.bind(this, labels),
          set: this.set.bind(this, labels),
          setToCurrentTime: this.setToCurrentTime.bind(this, labels),
          startTimer: this.startTimer.bind(this, labels)
        };
      }
      remove(...args) {
        const labels = getLabels(this.labelNames, args);
        validateLabel(this.labelNames, labels);
        removeLabels.call(this, this.hashMap, labels, this.sortedLabelNames);
      }
    };
    function set(gauge, labels, value) {
      if (typeof value !== "number") {
        throw new TypeError(`Value is not a valid number: ${util.format(value)}`);
      }
      validateLabel(gauge.labelNames, labels);
      setValue(gauge.hashMap, value, labels);
    }
    function setDelta(gauge, labels, delta) {
      if (typeof delta !== "number") {
        throw new TypeError(`Delta is not a valid number: ${util.format(delta)}`);
      }
      validateLabel(gauge.labelNames, labels);
      const hash = hashObject(labels, gauge.sortedLabelNames);
      setValueDelta(gauge.hashMap, delta, labels, hash);
    }
    function getLabelArg(labels) {
      return isObject2(labels) ? labels : {};
    }
    function getValueArg(labels, value) {
      return isObject2(labels) ? value : labels;
    }
    module2.exports = Gauge2;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/histogram.js
var require_histogram = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/histogram.js"(exports2, module2) {
    "use strict";
    var util = require("util");
    var {
      getLabels,
      hashObject,
      isObject: isObject2,
      removeLabels,
      nowTimestamp
    } = require_util();
    var { validateLabel } = require_validation();
    var { Metric } = require_metric();
    var Exemplar = require_exemplar();
    var Histogram = class extends Metric {
      constructor(config2) {
        super(config2, {
          buckets: [5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
        });
        this.type = "histogram";
        this.defaultLabels = {};
        this.defaultExemplarLabelSet = {};
        this.enableExemplars = false;
        for (const label of this.labelNames) {
          if (label === "le") {
            throw new Error("le is a reserved label keyword");
          }
        }
        this.upperBounds = this.buckets;
        this.bucketValues = this.upperBounds.reduce((acc, upperBound) => {
          acc[upperBound] = 0;
          return acc;
        }, {});
        if (config2.enableExemplars) {
          this.enableExemplars = true;
          this.bucketExemplars = this.upperBounds.reduce((acc, upperBound) => {
            acc[upperBound] = null;
            return acc;
          }, {});
          Object.freeze(this.bucketExemplars);
          this.observe = this.observeWithExemplar;
        } else {
          this.observe = this.observeWithoutExemplar;
        }
        Object.freeze(this.bucketValues);
        Object.freeze(this.upperBounds);
        if (this.labelNames.length === 0) {
          this.hashMap = {
            [hashObject({})]: createBaseValues(
              {},
              this.bucketValues,
              this.bucketExemplars
            )
          };
        }
      }
      /**
       * Observe a value in histogram
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @param {Number} value - Value to observe in the histogram
       * @returns {void}
       */
      observeWithoutExemplar(labels, value) {
        observe.call(this, labels === 0 ? 0 : labels || {})(value);
      }
      observeWithExemplar({
        labels = this.defaultLabels,
        value,
        exemplarLabels = this.defaultExemplarLabelSet
      } = {}) {
        observe.call(this, labels === 0 ? 0 : labels || {})(value);
        this.updateExemplar(labels, value, exemplarLabels);
      }
      updateExemplar(labels, value, exemplarLabels) {
        if (Object.keys(exemplarLabels).length === 0) return;
        const hash = hashObject(labels, this.sortedLabelNames);
        const bound = findBound(this.upperBounds, value);
        const { bucketExemplars } = this.hashMap[hash];
        let exemplar = bucketExemplars[bound];
        if (!isObject2(exemplar)) {
          exemplar = new Exemplar();
          bucketExemplars[bound] = exemplar;
        }
        exemplar.validateExemplarLabelSet(exemplarLabels);
        exemplar.labelSet = exemplarLabels;
        exemplar.value = value;
        exemplar.timestamp = nowTimestamp();
      }
      async get() {
        const data = await this.getForPromString();
        data.values = data.values.map(splayLabels);
        return data;
      }
      async getForPromString() {
        if (this.collect) {
          const v = this.collect();
          if (v instanceof Promise) await v;
        }
        const data = Object.values(this.hashMap);
        const values = data.map(extractBucketValuesForExport(this)).reduce(addSumAndCountForExport(this), []);
        return {
          name: this.name,
          help: this.help,
          type: this.type,
          values,
          aggregator: this.aggregator
        };
      }
      reset() {
        this.hashMap = {};
      }
      /**
       * Initialize the metrics for the given combination of labels to zero
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @returns {void}
       */
      zero(labels) {
        const hash = hashObject(labels, this.sortedLabelNames);
        this.hashMap[hash] = createBaseValues(
          labels,
          this.bucketValues,
          this.bucketExemplars
        );
      }
      /**
       * Start a timer that could be used to logging durations
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @param {object} exemplarLabels - Object with labels for exemplar where key is the label key and value is label value. Can only be one level deep
       * @returns {function} - Function to invoke when you want to stop the timer and observe the duration in seconds
       * @example
       * var end = histogram.startTimer();
       * makeExpensiveXHRRequest(function(err, res) {
       * 	const duration = end(); //Observe the duration of expensiveXHRRequest and returns duration in seconds
       * 	console.log('Duration', duration);
       * });
       */
      startTimer(labels, exemplarLabels) {
        return this.enableExemplars ? startTimerWithExemplar.call(this, labels, exemplarLabels)() : startTimer.call(this, labels)();
      }
      labels(...args) {
        const labels = getLabels(this.labelNames, args);
        validateLabel(this.labelNames, labels);
        return {
          observe: observe.call(this, labels),
          startTimer: startTimer.call(this, labels)
        };
      }
      remove(...args) {
        const labels = getLabels(this.labelNames, args);
        validateLabel(this.labelNames, labels);
        removeLabels.call(this, this.hashMap, labels, this.sortedLabelNames);
      }
    };
    function startTimer(startLabels) {
      return () => {
        const start = process.hrtime();
        return (endLabels) => {
          const delta = process.hrtime(start);
          const value = delta[0] + delta[1] / 1e9;
          this.observe(Object.assign({}, startLabels, endLabels), value);
          return value;
        };
      };
    }
    function startTimerWithExemplar(startLabels, startExemplarLabels) {
      return () => {
        const start = process.hrtime();
        return (endLabels, endExemplarLabels) => {
          const delta = process.hrtime(start);
          const value = delta[0] + delta[1] / 1e9;
          this.observe({
            labels: Object.assign({}, startLabels, endLabels),
            value,
            exemplarLabels: Object.assign(
              {},
              startExemplarLabels,
              endExemplarLabels
            )
          });
          return value;
        };
      };
    }
    function setValuePair(labels, value, metricName, exemplar, sharedLabels = {}) {
      return {
        labels,
        sharedLabels,
        value,
        metricName,
        exemplar
      };
    }
    function findBound(upperBounds, value) {
      for (let i = 0; i < upperBounds.length; i++) {
        const bound = upperBounds[i];
        if (value <= bound) {
          return bound;
        }
      }
      return -1;
    }
    function observe(labels) {
      return (value) => {
        const labelValuePair = convertLabelsAndValues(labels, value);
        validateLabel(this.labelNames, labelValuePair.labels);
        if (!Number.isFinite(labelValuePair.value)) {
          throw new TypeError(
            `Value is not a valid number: ${util.format(labelValuePair.value)}`
          );
        }
        const hash = hashObject(labelValuePair.labels, this.sortedLabelNames);
        let valueFromMap = this.hashMap[hash];
        if (!valueFromMap) {
          valueFromMap = createBaseValues(
            labelValuePair.labels,
            this.bucketValues,
            this.bucketExemplars
          );
        }
        const b = findBound(this.upperBounds, labelValuePair.value);
        valueFromMap.sum += labelValuePair.value;
        valueFromMap.count += 1;
        if (Object.prototype.hasOwnProperty.call(valueFromMap.bucketValues, b)) {
          valueFromMap.bucketValues[b] += 1;
        }
        this.hashMap[hash] = valueFromMap;
      };
    }
    function createBaseValues(labels, bucketValues, bucketExemplars) {
      const result = {
        labels,
        bucketValues: { ...bucketValues },
        sum: 0,
        count: 0
      };
      if (bucketExemplars) {
        result.bucketExemplars = { ...bucketExemplars };
      }
      return result;
    }
    function convertLabelsAndValues(labels, value) {
      return isObject2(labels) ? {
        labels,
        value
      } : {
        value: labels,
        labels: {}
      };
    }
    function extractBucketValuesForExport(histogram) {
      const name2 = `${histogram.name}_bucket`;
      return (bucketData) => {
        let acc = 0;
        const buckets = histogram.upperBounds.map((upperBound) => {
          acc += bucketData.bucketValues[upperBound];
          return setValuePair(
            { le: upperBound },
            acc,
            name2,
            bucketData.bucketExemplars ? bucketData.bucketExemplars[upperBound] : null,
            bucketData.labels
          );
        });
        return { buckets, data: bucketData };
      };
    }
    function addSumAndCountForExport(histogram) {
      return (acc, d) => {
        acc.push(...d.buckets);
        const infLabel = { le: "+Inf" };
        acc.push(
          setValuePair(
            infLabel,
            d.data.count,
            `${histogram.name}_bucket`,
            d.data.bucketExemplars ? d.data.bucketExemplars["-1"] : null,
            d.data.labels
          ),
          setValuePair(
            {},
            d.data.sum,
            `${histogram.name}_sum`,
            void 0,
            d.data.labels
          ),
          setValuePair(
            {},
            d.data.count,
            `${histogram.name}_count`,
            void 0,
            d.data.labels
          )
        );
        return acc;
      };
    }
    function splayLabels(bucket) {
      const { sharedLabels, labels, ...newBucket } = bucket;
      for (const label of Object.keys(sharedLabels)) {
        labels[label] = sharedLabels[label];
      }
      newBucket.labels = labels;
      return newBucket;
    }
    module2.exports = Histogram;
  }
});

// ../../node_modules/.pnpm/bintrees@1.0.2/node_modules/bintrees/lib/treebase.js
var require_treebase = __commonJS({
  "../../node_modules/.pnpm/bintrees@1.0.2/node_modules/bintrees/lib/treebase.js"(exports2, module2) {
    function TreeBase() {
    }
    TreeBase.prototype.clear = function() {
      this._root = null;
      this.size = 0;
    };
    TreeBase.prototype.find = function(data) {
      var res = this._root;
      while (res !== null) {
        var c = this._comparator(data, res.data);
        if (c === 0) {
          return res.data;
        } else {
          res = res.get_child(c > 0);
        }
      }
      return null;
    };
    TreeBase.prototype.findIter = function(data) {
      var res = this._root;
      var iter = this.iterator();
      while (res !== null) {
        var c = this._comparator(data, res.data);
        if (c === 0) {
          iter._cursor = res;
          return iter;
        } else {
          iter._ancestors.push(res);
          res = res.get_child(c > 0);
        }
      }
      return null;
    };
    TreeBase.prototype.lowerBound = function(item) {
      var cur = this._root;
      var iter = this.iterator();
      var cmp = this._comparator;
      while (cur !== null) {
        var c = cmp(item, cur.data);
        if (c === 0) {
          iter._cursor = cur;
          return iter;
        }
        iter._ancestors.push(cur);
        cur = cur.get_child(c > 0);
      }
      for (var i = iter._ancestors.length - 1; i >= 0; --i) {
        cur = iter._ancestors[i];
        if (cmp(item, cur.data) < 0) {
          iter._cursor = cur;
          iter._ancestors.length = i;
          return iter;
        }
      }
      iter._ancestors.length = 0;
      return iter;
    };
    TreeBase.prototype.upperBound = function(item) {
      var iter = this.lowerBound(item);
      var cmp = this._comparator;
      while (iter.data() !== null && cmp(iter.data(), item) === 0) {
        iter.next();
      }
      return iter;
    };
    TreeBase.prototype.min = function() {
      var res = this._root;
      if (res === null) {
        return null;
      }
      while (res.left !== null) {
        res = res.left;
      }
      return res.data;
    };
    TreeBase.prototype.max = function() {
      var res = this._root;
      if (res === null) {
        return null;
      }
      while (res.right !== null) {
        res = res.right;
      }
      return res.data;
    };
    TreeBase.prototype.iterator = function() {
      return new Iterator(this);
    };
    TreeBase.prototype.each = function(cb) {
      var it = this.iterator(), data;
      while ((data = it.next()) !== null) {
        if (cb(data) === false) {
          return;
        }
      }
    };
    TreeBase.prototype.reach = function(cb) {
      var it = this.iterator(), data;
      while ((data = it.prev()) !== null) {
        if (cb(data) === false) {
          return;
        }
      }
    };
    function Iterator(tree) {
      this._tree = tree;
      this._ancestors = [];
      this._cursor = null;
    }
    Iterator.prototype.data = function() {
      return this._cursor !== null ? this._cursor.data : null;
    };
    Iterator.prototype.next = function() {
      if (this._cursor === null) {
        var root = this._tree._root;
        if (root !== null) {
          this._minNode(root);
        }
      } else {
        if (this._cursor.right === null) {
          var save;
          do {
            save = this._cursor;
            if (this._ancestors.length) {
              this._cursor = this._ancestors.pop();
            } else {
              this._cursor = null;
              break;
            }
          } while (this._cursor.right === save);
        } else {
          this._ancestors.push(this._cursor);
          this._minNode(this._cursor.right);
        }
      }
      return this._cursor !== null ? this._cursor.data : null;
    };
    Iterator.prototype.prev = function() {
      if (this._cursor === null) {
        var root = this._tree._root;
        if (root !== null) {
          this._maxNode(root);
        }
      } else {
        if (this._cursor.left === null) {
          var save;
          do {
            save = this._cursor;
            if (this._ancestors.length) {
              this._cursor = this._ancestors.pop();
            } else {
              this._cursor = null;
              break;
            }
          } while (this._cursor.left === save);
        } else {
          this._ancestors.push(this._cursor);
          this._maxNode(this._cursor.left);
        }
      }
      return this._cursor !== null ? this._cursor.data : null;
    };
    Iterator.prototype._minNode = function(start) {
      while (start.left !== null) {
        this._ancestors.push(start);
        start = start.left;
      }
      this._cursor = start;
    };
    Iterator.prototype._maxNode = function(start) {
      while (start.right !== null) {
        this._ancestors.push(start);
        start = start.right;
      }
      this._cursor = start;
    };
    module2.exports = TreeBase;
  }
});

// ../../node_modules/.pnpm/bintrees@1.0.2/node_modules/bintrees/lib/rbtree.js
var require_rbtree = __commonJS({
  "../../node_modules/.pnpm/bintrees@1.0.2/node_modules/bintrees/lib/rbtree.js"(exports2, module2) {
    var TreeBase = require_treebase();
    function Node(data) {
      this.data = data;
      this.left = null;
      this.right = null;
      this.red = true;
    }
    Node.prototype.get_child = function(dir) {
      return dir ? this.right : this.left;
    };
    Node.prototype.set_child = function(dir, val) {
      if (dir) {
        this.right = val;
      } else {
        this.left = val;
      }
    };
    function RBTree(comparator) {
      this._root = null;
      this._comparator = comparator;
      this.size = 0;
    }
    RBTree.prototype = new TreeBase();
    RBTree.prototype.insert = function(data) {
      var ret2 = false;
      if (this._root === null) {
        this._root = new Node(data);
        ret2 = true;
        this.size++;
      } else {
        var head = new Node(void 0);
        var dir = 0;
        var last = 0;
        var gp = null;
        var ggp = head;
        var p = null;
        var node = this._root;
        ggp.right = this._root;
        while (true) {
          if (node === null) {
            node = new Node(data);
            p.set_child(dir, node);
            ret2 = true;
            this.size++;
          } else if (is_red(node.left) && is_red(node.right)) {
            node.red = true;
            node.left.red = false;
            node.right.red = false;
          }
          if (is_red(node) && is_red(p)) {
            var dir2 = ggp.right === gp;
            if (node === p.get_child(last)) {
              ggp.set_child(dir2, single_rotate(gp, !last));
            } else {
              ggp.set_child(dir2, double_rotate(gp, !last));
            }
          }
          var cmp = this._comparator(node.data, data);
          if (cmp === 0) {
            break;
          }
          last = dir;
          dir = cmp < 0;
          if (gp !== null) {
            ggp = gp;
          }
          gp = p;
          p = node;
          node = node.get_child(dir);
        }
        this._root = head.right;
      }
      this._root.red = false;
      return ret2;
    };
    RBTree.prototype.remove = function(data) {
      if (this._root === null) {
        return false;
      }
      var head = new Node(void 0);
      var node = head;
      node.right = this._root;
      var p = null;
      var gp = null;
      var found = null;
      var dir = 1;
      while (node.get_child(dir) !== null) {
        var last = dir;
        gp = p;
        p = node;
        node = node.get_child(dir);
        var cmp = this._comparator(data, node.data);
        dir = cmp > 0;
        if (cmp === 0) {
          found = node;
        }
        if (!is_red(node) && !is_red(node.get_child(dir))) {
          if (is_red(node.get_child(!dir))) {
            var sr = single_rotate(node, dir);
            p.set_child(last, sr);
            p = sr;
          } else if (!is_red(node.get_child(!dir))) {
            var sibling = p.get_child(!last);
            if (sibling !== null) {
              if (!is_red(sibling.get_child(!last)) && !is_red(sibling.get_child(last))) {
                p.red = false;
                sibling.red = true;
                node.red = true;
              } else {
                var dir2 = gp.right === p;
                if (is_red(sibling.get_child(last))) {
                  gp.set_child(dir2, double_rotate(p, last));
                } else if (is_red(sibling.get_child(!last))) {
                  gp.set_child(dir2, single_rotate(p, last));
                }
                var gpc = gp.get_child(dir2);
                gpc.red = true;
                node.red = true;
                gpc.left.red = false;
                gpc.right.red = false;
              }
            }
          }
        }
      }
      if (found !== null) {
        found.data = node.data;
        p.set_child(p.right === node, node.get_child(node.left === null));
        this.size--;
      }
      this._root = head.right;
      if (this._root !== null) {
        this._root.red = false;
      }
      return found !== null;
    };
    function is_red(node) {
      return node !== null && node.red;
    }
    function single_rotate(root, dir) {
      var save = root.get_child(!dir);
      root.set_child(!dir, save.get_child(dir));
      save.set_child(dir, root);
      root.red = true;
      save.red = false;
      return save;
    }
    function double_rotate(root, dir) {
      root.set_child(!dir, single_rotate(root.get_child(!dir), !dir));
      return single_rotate(root, dir);
    }
    module2.exports = RBTree;
  }
});

// ../../node_modules/.pnpm/bintrees@1.0.2/node_modules/bintrees/lib/bintree.js
var require_bintree = __commonJS({
  "../../node_modules/.pnpm/bintrees@1.0.2/node_modules/bintrees/lib/bintree.js"(exports2, module2) {
    var TreeBase = require_treebase();
    function Node(data) {
      this.data = data;
      this.left = null;
      this.right = null;
    }
    Node.prototype.get_child = function(dir) {
      return dir ? this.right : this.left;
    };
    Node.prototype.set_child = function(dir, val) {
      if (dir) {
        this.right = val;
      } else {
        this.left = val;
      }
    };
    function BinTree(comparator) {
      this._root = null;
      this._comparator = comparator;
      this.size = 0;
    }
    BinTree.prototype = new TreeBase();
    BinTree.prototype.insert = function(data) {
      if (this._root === null) {
        this._root = new Node(data);
        this.size++;
        return true;
      }
      var dir = 0;
      var p = null;
      var node = this._root;
      while (true) {
        if (node === null) {
          node = new Node(data);
          p.set_child(dir, node);
          ret = true;
          this.size++;
          return true;
        }
        if (this._comparator(node.data, data) === 0) {
          return false;
        }
        dir = this._comparator(node.data, data) < 0;
        p = node;
        node = node.get_child(dir);
      }
    };
    BinTree.prototype.remove = function(data) {
      if (this._root === null) {
        return false;
      }
      var head = new Node(void 0);
      var node = head;
      node.right = this._root;
      var p = null;
      var found = null;
      var dir = 1;
      while (node.get_child(dir) !== null) {
        p = node;
        node = node.get_child(dir);
        var cmp = this._comparator(data, node.data);
        dir = cmp > 0;
        if (cmp === 0) {
          found = node;
        }
      }
      if (found !== null) {
        found.data = node.data;
        p.set_child(p.right === node, node.get_child(node.left === null));
        this._root = head.right;
        this.size--;
        return true;
      } else {
        return false;
      }
    };
    module2.exports = BinTree;
  }
});

// ../../node_modules/.pnpm/bintrees@1.0.2/node_modules/bintrees/index.js
var require_bintrees = __commonJS({
  "../../node_modules/.pnpm/bintrees@1.0.2/node_modules/bintrees/index.js"(exports2, module2) {
    module2.exports = {
      RBTree: require_rbtree(),
      BinTree: require_bintree()
    };
  }
});

// ../../node_modules/.pnpm/tdigest@0.1.3/node_modules/tdigest/tdigest.js
var require_tdigest = __commonJS({
  "../../node_modules/.pnpm/tdigest@0.1.3/node_modules/tdigest/tdigest.js"(exports2, module2) {
    var RBTree = require_bintrees().RBTree;
    function TDigest(delta, K, CX) {
      this.discrete = delta === false;
      this.delta = delta || 0.01;
      this.K = K === void 0 ? 25 : K;
      this.CX = CX === void 0 ? 1.1 : CX;
      this.centroids = new RBTree(compare_centroid_means);
      this.nreset = 0;
      this.reset();
    }
    TDigest.prototype.reset = function() {
      this.centroids.clear();
      this.n = 0;
      this.nreset += 1;
      this.last_cumulate = 0;
    };
    TDigest.prototype.size = function() {
      return this.centroids.size;
    };
    TDigest.prototype.toArray = function(everything) {
      var result = [];
      if (everything) {
        this._cumulate(true);
        this.centroids.each(function(c) {
          result.push(c);
        });
      } else {
        this.centroids.each(function(c) {
          result.push({ mean: c.mean, n: c.n });
        });
      }
      return result;
    };
    TDigest.prototype.summary = function() {
      var approx = this.discrete ? "exact " : "approximating ";
      var s = [
        approx + this.n + " samples using " + this.size() + " centroids",
        "min = " + this.percentile(0),
        "Q1  = " + this.percentile(0.25),
        "Q2  = " + this.percentile(0.5),
        "Q3  = " + this.percentile(0.75),
        "max = " + this.percentile(1)
      ];
      return s.join("\n");
    };
    function compare_centroid_means(a, b) {
      return a.mean > b.mean ? 1 : a.mean < b.mean ? -1 : 0;
    }
    function compare_centroid_mean_cumns(a, b) {
      return a.mean_cumn - b.mean_cumn;
    }
    TDigest.prototype.push = function(x, n) {
      n = n || 1;
      x = Array.isArray(x) ? x : [x];
      for (var i = 0; i < x.length; i++) {
        this._digest(x[i], n);
      }
    };
    TDigest.prototype.push_centroid = function(c) {
      c = Array.isArray(c) ? c : [c];
      for (var i = 0; i < c.length; i++) {
        this._digest(c[i].mean, c[i].n);
      }
    };
    TDigest.prototype._cumulate = function(exact) {
      if (this.n === this.last_cumulate || !exact && this.CX && this.CX > this.n / this.last_cumulate) {
        return;
      }
      var cumn = 0;
      this.centroids.each(function(c) {
        c.mean_cumn = cumn + c.n / 2;
        cumn = c.cumn = cumn + c.n;
      });
      this.n = this.last_cumulate = cumn;
    };
    TDigest.prototype.find_nearest = function(x) {
      if (this.size() === 0) {
        return null;
      }
      var iter = this.centroids.lowerBound({ mean: x });
      var c = iter.data() === null ? iter.prev() : iter.data();
      if (c.mean === x || this.discrete) {
        return c;
      }
      var prev = iter.prev();
      if (prev && Math.abs(prev.mean - x) < Math.abs(c.mean - x)) {
        return prev;
      } else {
        return c;
      }
    };
    TDigest.prototype._new_centroid = function(x, n, cumn) {
      var c = { mean: x, n, cumn };
      this.centroids.insert(c);
      this.n += n;
      return c;
    };
    TDigest.prototype._addweight = function(nearest, x, n) {
      if (x !== nearest.mean) {
        nearest.mean += n * (x - nearest.mean) / (nearest.n + n);
      }
      nearest.cumn += n;
      nearest.mean_cumn += n / 2;
      nearest.n += n;
      this.n += n;
    };
    TDigest.prototype._digest = function(x, n) {
      var min = this.centroids.min();
      var max = this.centroids.max();
      var nearest = this.find_nearest(x);
      if (nearest && nearest.mean === x) {
        this._addweight(nearest, x, n);
      } else if (nearest === min) {
        this._new_centroid(x, n, 0);
      } else if (nearest === max) {
        this._new_centroid(x, n, this.n);
      } else if (this.discrete) {
        this._new_centroid(x, n, nearest.cumn);
      } else {
        var p = nearest.mean_cumn / this.n;
        var max_n = Math.floor(4 * this.n * this.delta * p * (1 - p));
        if (max_n - nearest.n >= n) {
          this._addweight(nearest, x, n);
        } else {
          this._new_centroid(x, n, nearest.cumn);
        }
      }
      this._cumulate(false);
      if (!this.discrete && this.K && this.size() > this.K / this.delta) {
        this.compress();
      }
    };
    TDigest.prototype.bound_mean = function(x) {
      var iter = this.centroids.upperBound({ mean: x });
      var lower = iter.prev();
      var upper = lower.mean === x ? lower : iter.next();
      return [lower, upper];
    };
    TDigest.prototype.p_rank = function(x_or_xlist) {
      var xs = Array.isArray(x_or_xlist) ? x_or_xlist : [x_or_xlist];
      var ps = xs.map(this._p_rank, this);
      return Array.isArray(x_or_xlist) ? ps : ps[0];
    };
    TDigest.prototype._p_rank = function(x) {
      if (this.size() === 0) {
        return void 0;
      } else if (x < this.centroids.min().mean) {
        return 0;
      } else if (x > this.centroids.max().mean) {
        return 1;
      }
      this._cumulate(true);
      var bound = this.bound_mean(x);
      var lower = bound[0], upper = bound[1];
      if (this.discrete) {
        return lower.cumn / this.n;
      } else {
        var cumn = lower.mean_cumn;
        if (lower !== upper) {
          cumn += (x - lower.mean) * (upper.mean_cumn - lower.mean_cumn) / (upper.mean - lower.mean);
        }
        return cumn / this.n;
      }
    };
    TDigest.prototype.bound_mean_cumn = function(cumn) {
      this.centroids._comparator = compare_centroid_mean_cumns;
      var iter = this.centroids.upperBound({ mean_cumn: cumn });
      this.centroids._comparator = compare_centroid_means;
      var lower = iter.prev();
      var upper = lower && lower.mean_cumn === cumn ? lower : iter.next();
      return [lower, upper];
    };
    TDigest.prototype.percentile = function(p_or_plist) {
      var ps = Array.isArray(p_or_plist) ? p_or_plist : [p_or_plist];
      var qs = ps.map(this._percentile, this);
      return Array.isArray(p_or_plist) ? qs : qs[0];
    };
    TDigest.prototype._percentile = function(p) {
      if (this.size() === 0) {
        return void 0;
      }
      this._cumulate(true);
      var h = this.n * p;
      var bound = this.bound_mean_cumn(h);
      var lower = bound[0], upper = bound[1];
      if (upper === lower || lower === null || upper === null) {
        return (lower || upper).mean;
      } else if (!this.discrete) {
        return lower.mean + (h - lower.mean_cumn) * (upper.mean - lower.mean) / (upper.mean_cumn - lower.mean_cumn);
      } else if (h <= lower.cumn) {
        return lower.mean;
      } else {
        return upper.mean;
      }
    };
    function pop_random(choices) {
      var idx = Math.floor(Math.random() * choices.length);
      return choices.splice(idx, 1)[0];
    }
    TDigest.prototype.compress = function() {
      if (this.compressing) {
        return;
      }
      var points = this.toArray();
      this.reset();
      this.compressing = true;
      while (points.length > 0) {
        this.push_centroid(pop_random(points));
      }
      this._cumulate(true);
      this.compressing = false;
    };
    function Digest(config2) {
      this.config = config2 || {};
      this.mode = this.config.mode || "auto";
      TDigest.call(this, this.mode === "cont" ? config2.delta : false);
      this.digest_ratio = this.config.ratio || 0.9;
      this.digest_thresh = this.config.thresh || 1e3;
      this.n_unique = 0;
    }
    Digest.prototype = Object.create(TDigest.prototype);
    Digest.prototype.constructor = Digest;
    Digest.prototype.push = function(x_or_xlist) {
      TDigest.prototype.push.call(this, x_or_xlist);
      this.check_continuous();
    };
    Digest.prototype._new_centroid = function(x, n, cumn) {
      this.n_unique += 1;
      TDigest.prototype._new_centroid.call(this, x, n, cumn);
    };
    Digest.prototype._addweight = function(nearest, x, n) {
      if (nearest.n === 1) {
        this.n_unique -= 1;
      }
      TDigest.prototype._addweight.call(this, nearest, x, n);
    };
    Digest.prototype.check_continuous = function() {
      if (this.mode !== "auto" || this.size() < this.digest_thresh) {
        return false;
      }
      if (this.n_unique / this.size() > this.digest_ratio) {
        this.mode = "cont";
        this.discrete = false;
        this.delta = this.config.delta || 0.01;
        this.compress();
        return true;
      }
      return false;
    };
    module2.exports = {
      "TDigest": TDigest,
      "Digest": Digest
    };
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/timeWindowQuantiles.js
var require_timeWindowQuantiles = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/timeWindowQuantiles.js"(exports2, module2) {
    "use strict";
    var { TDigest } = require_tdigest();
    var TimeWindowQuantiles = class {
      constructor(maxAgeSeconds, ageBuckets) {
        this.maxAgeSeconds = maxAgeSeconds || 0;
        this.ageBuckets = ageBuckets || 0;
        this.shouldRotate = maxAgeSeconds && ageBuckets;
        this.ringBuffer = Array(ageBuckets).fill(new TDigest());
        this.currentBuffer = 0;
        this.lastRotateTimestampMillis = Date.now();
        this.durationBetweenRotatesMillis = maxAgeSeconds * 1e3 / ageBuckets || Infinity;
      }
      size() {
        const bucket = rotate.call(this);
        return bucket.size();
      }
      percentile(quantile) {
        const bucket = rotate.call(this);
        return bucket.percentile(quantile);
      }
      push(value) {
        rotate.call(this);
        this.ringBuffer.forEach((bucket) => {
          bucket.push(value);
        });
      }
      reset() {
        this.ringBuffer.forEach((bucket) => {
          bucket.reset();
        });
      }
      compress() {
        this.ringBuffer.forEach((bucket) => {
          bucket.compress();
        });
      }
    };
    function rotate() {
      let timeSinceLastRotateMillis = Date.now() - this.lastRotateTimestampMillis;
      while (timeSinceLastRotateMillis > this.durationBetweenRotatesMillis && this.shouldRotate) {
        this.ringBuffer[this.currentBuffer] = new TDigest();
        if (++this.currentBuffer >= this.ringBuffer.length) {
          this.currentBuffer = 0;
        }
        timeSinceLastRotateMillis -= this.durationBetweenRotatesMillis;
        this.lastRotateTimestampMillis += this.durationBetweenRotatesMillis;
      }
      return this.ringBuffer[this.currentBuffer];
    }
    module2.exports = TimeWindowQuantiles;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/summary.js
var require_summary = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/summary.js"(exports2, module2) {
    "use strict";
    var util = require("util");
    var { getLabels, hashObject, removeLabels } = require_util();
    var { validateLabel } = require_validation();
    var { Metric } = require_metric();
    var timeWindowQuantiles = require_timeWindowQuantiles();
    var DEFAULT_COMPRESS_COUNT = 1e3;
    var Summary2 = class extends Metric {
      constructor(config2) {
        super(config2, {
          percentiles: [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999],
          compressCount: DEFAULT_COMPRESS_COUNT,
          hashMap: {}
        });
        this.type = "summary";
        for (const label of this.labelNames) {
          if (label === "quantile")
            throw new Error("quantile is a reserved label keyword");
        }
        if (this.labelNames.length === 0) {
          this.hashMap = {
            [hashObject({})]: {
              labels: {},
              td: new timeWindowQuantiles(this.maxAgeSeconds, this.ageBuckets),
              count: 0,
              sum: 0
            }
          };
        }
      }
      /**
       * Observe a value
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @param {Number} value - Value to observe
       * @returns {void}
       */
      observe(labels, value) {
        observe.call(this, labels === 0 ? 0 : labels || {})(value);
      }
      async get() {
        if (this.collect) {
          const v = this.collect();
          if (v instanceof Promise) await v;
        }
        const hashKeys = Object.keys(this.hashMap);
        const values = [];
        hashKeys.forEach((hashKey) => {
          const s = this.hashMap[hashKey];
          if (s) {
            if (this.pruneAgedBuckets && s.td.size() === 0) {
              delete this.hashMap[hashKey];
            } else {
              extractSummariesForExport(s, this.percentiles).forEach((v) => {
                values.push(v);
              });
              values.push(getSumForExport(s, this));
              values.push(getCountForExport(s, this));
            }
          }
        });
        return {
          name: this.name,
          help: this.help,
          type: this.type,
          values,
          aggregator: this.aggregator
        };
      }
      reset() {
        const data = Object.values(this.hashMap);
        data.forEach((s) => {
          s.td.reset();
          s.count = 0;
          s.sum = 0;
        });
      }
      /**
       * Start a timer that could be used to logging durations
       * @param {object} labels - Object with labels where key is the label key and value is label value. Can only be one level deep
       * @returns {function} - Function to invoke when you want to stop the timer and observe the duration in seconds
       * @example
       * var end = summary.startTimer();
       * makeExpensiveXHRRequest(function(err, res) {
       *	end(); //Observe the duration of expensiveXHRRequest
       * });
       */
      startTimer(labels) {
        return startTimer.call(this, labels)();
      }
      labels(...args) {
        const labels = getLabels(this.labelNames, args);
        validateLabel(this.labelNames, labels);
        return {
          observe: observe.call(this, labels),
          startTimer: startTimer.call(this, labels)
        };
      }
      remove(...args) {
        const labels = getLabels(this.labelNames, args);
        validateLabel(this.labelNames, labels);
        removeLabels.call(this, this.hashMap, labels, this.sortedLabelNames);
      }
    };
    function extractSummariesForExport(summaryOfLabels, percentiles) {
      summaryOfLabels.td.compress();
      return percentiles.map((percentile) => {
        const percentileValue = summaryOfLabels.td.percentile(percentile);
        return {
          labels: Object.assign({ quantile: percentile }, summaryOfLabels.labels),
          value: percentileValue ? percentileValue : 0
        };
      });
    }
    function getCountForExport(value, summary) {
      return {
        metricName: `${summary.name}_count`,
        labels: value.labels,
        value: value.count
      };
    }
    function getSumForExport(value, summary) {
      return {
        metricName: `${summary.name}_sum`,
        labels: value.labels,
        value: value.sum
      };
    }
    function startTimer(startLabels) {
      return () => {
        const start = process.hrtime();
        return (endLabels) => {
          const delta = process.hrtime(start);
          const value = delta[0] + delta[1] / 1e9;
          this.observe(Object.assign({}, startLabels, endLabels), value);
          return value;
        };
      };
    }
    function observe(labels) {
      return (value) => {
        const labelValuePair = convertLabelsAndValues(labels, value);
        validateLabel(this.labelNames, labels);
        if (!Number.isFinite(labelValuePair.value)) {
          throw new TypeError(
            `Value is not a valid number: ${util.format(labelValuePair.value)}`
          );
        }
        const hash = hashObject(labelValuePair.labels, this.sortedLabelNames);
        let summaryOfLabel = this.hashMap[hash];
        if (!summaryOfLabel) {
          summaryOfLabel = {
            labels: labelValuePair.labels,
            td: new timeWindowQuantiles(this.maxAgeSeconds, this.ageBuckets),
            count: 0,
            sum: 0
          };
        }
        summaryOfLabel.td.push(labelValuePair.value);
        summaryOfLabel.count++;
        if (summaryOfLabel.count % this.compressCount === 0) {
          summaryOfLabel.td.compress();
        }
        summaryOfLabel.sum += labelValuePair.value;
        this.hashMap[hash] = summaryOfLabel;
      };
    }
    function convertLabelsAndValues(labels, value) {
      if (value === void 0) {
        return {
          value: labels,
          labels: {}
        };
      }
      return {
        labels,
        value
      };
    }
    module2.exports = Summary2;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/pushgateway.js
var require_pushgateway = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/pushgateway.js"(exports2, module2) {
    "use strict";
    var url2 = require("url");
    var http = require("http");
    var https = require("https");
    var { gzipSync } = require("zlib");
    var { globalRegistry } = require_registry();
    var Pushgateway = class {
      constructor(gatewayUrl, options, registry2) {
        if (!registry2) {
          registry2 = globalRegistry;
        }
        this.registry = registry2;
        this.gatewayUrl = gatewayUrl;
        const { requireJobName, ...requestOptions } = {
          requireJobName: true,
          ...options
        };
        this.requireJobName = requireJobName;
        this.requestOptions = requestOptions;
      }
      pushAdd(params = {}) {
        if (this.requireJobName && !params.jobName) {
          throw new Error("Missing jobName parameter");
        }
        return useGateway.call(this, "POST", params.jobName, params.groupings);
      }
      push(params = {}) {
        if (this.requireJobName && !params.jobName) {
          throw new Error("Missing jobName parameter");
        }
        return useGateway.call(this, "PUT", params.jobName, params.groupings);
      }
      delete(params = {}) {
        if (this.requireJobName && !params.jobName) {
          throw new Error("Missing jobName parameter");
        }
        return useGateway.call(this, "DELETE", params.jobName, params.groupings);
      }
    };
    async function useGateway(method, job, groupings) {
      const gatewayUrlParsed = url2.parse(this.gatewayUrl);
      const gatewayUrlPath = gatewayUrlParsed.pathname && gatewayUrlParsed.pathname !== "/" ? gatewayUrlParsed.pathname : "";
      const jobPath = job ? `/job/${encodeURIComponent(job)}${generateGroupings(groupings)}` : "";
      const path = `${gatewayUrlPath}/metrics${jobPath}`;
      const target2 = url2.resolve(this.gatewayUrl, path);
      const requestParams = url2.parse(target2);
      const httpModule = isHttps(requestParams.href) ? https : http;
      const options = Object.assign(requestParams, this.requestOptions, {
        method
      });
      return new Promise((resolve2, reject) => {
        if (method === "DELETE" && options.headers) {
          delete options.headers["Content-Encoding"];
        }
        const req = httpModule.request(options, (resp) => {
          let body = "";
          resp.setEncoding("utf8");
          resp.on("data", (chunk) => {
            body += chunk;
          });
          resp.on("end", () => {
            if (resp.statusCode >= 400) {
              reject(
                new Error(`push failed with status ${resp.statusCode}, ${body}`)
              );
            } else {
              resolve2({ resp, body });
            }
          });
        });
        req.on("error", (err) => {
          reject(err);
        });
        req.on("timeout", () => {
          req.destroy(new Error("Pushgateway request timed out"));
        });
        if (method !== "DELETE") {
          this.registry.metrics().then((metrics) => {
            if (options.headers && options.headers["Content-Encoding"] === "gzip") {
              metrics = gzipSync(metrics);
            }
            req.write(metrics);
            req.end();
          }).catch((err) => {
            reject(err);
          });
        } else {
          req.end();
        }
      });
    }
    function generateGroupings(groupings) {
      if (!groupings) {
        return "";
      }
      return Object.keys(groupings).map(
        (key) => `/${encodeURIComponent(key)}/${encodeURIComponent(groupings[key])}`
      ).join("");
    }
    function isHttps(href) {
      return href.search(/^https/) !== -1;
    }
    module2.exports = Pushgateway;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/bucketGenerators.js
var require_bucketGenerators = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/bucketGenerators.js"(exports2) {
    "use strict";
    exports2.linearBuckets = (start, width, count3) => {
      if (count3 < 1) {
        throw new Error("Linear buckets needs a positive count");
      }
      const buckets = new Array(count3);
      for (let i = 0; i < count3; i++) {
        buckets[i] = start + i * width;
      }
      return buckets;
    };
    exports2.exponentialBuckets = (start, factor, count3) => {
      if (start <= 0) {
        throw new Error("Exponential buckets needs a positive start");
      }
      if (count3 < 1) {
        throw new Error("Exponential buckets needs a positive count");
      }
      if (factor <= 1) {
        throw new Error("Exponential buckets needs a factor greater than 1");
      }
      const buckets = new Array(count3);
      for (let i = 0; i < count3; i++) {
        buckets[i] = start;
        start *= factor;
      }
      return buckets;
    };
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/diag/types.cjs
var require_types = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/diag/types.cjs"(exports2) {
    var DiagLogLevel = /* @__PURE__ */ (function(DiagLogLevel2) {
      DiagLogLevel2[DiagLogLevel2["NONE"] = 0] = "NONE";
      DiagLogLevel2[DiagLogLevel2["ERROR"] = 30] = "ERROR";
      DiagLogLevel2[DiagLogLevel2["WARN"] = 50] = "WARN";
      DiagLogLevel2[DiagLogLevel2["INFO"] = 60] = "INFO";
      DiagLogLevel2[DiagLogLevel2["DEBUG"] = 70] = "DEBUG";
      DiagLogLevel2[DiagLogLevel2["VERBOSE"] = 80] = "VERBOSE";
      DiagLogLevel2[DiagLogLevel2["ALL"] = 9999] = "ALL";
      return DiagLogLevel2;
    })({});
    exports2.DiagLogLevel = DiagLogLevel;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/version.cjs
var require_version = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/version.cjs"(exports2) {
    var VERSION = "1.10.0";
    exports2.VERSION = VERSION;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/internal/semver.cjs
var require_semver = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/internal/semver.cjs"(exports2) {
    var require_version3 = require_version();
    var re = /^(\d+)\.(\d+)\.(\d+)(-(.+))?$/;
    function _makeCompatibilityCheck(ownVersion) {
      const acceptedVersions = /* @__PURE__ */ new Set([ownVersion]);
      const rejectedVersions = /* @__PURE__ */ new Set();
      const myVersionMatch = ownVersion.match(re);
      if (!myVersionMatch) return () => false;
      const ownVersionParsed = {
        major: +myVersionMatch[1],
        minor: +myVersionMatch[2],
        patch: +myVersionMatch[3],
        prerelease: myVersionMatch[4]
      };
      if (ownVersionParsed.prerelease != null) return function isExactmatch(globalVersion) {
        return globalVersion === ownVersion;
      };
      function _reject(v) {
        rejectedVersions.add(v);
        return false;
      }
      function _accept(v) {
        acceptedVersions.add(v);
        return true;
      }
      return function isCompatible2(globalVersion) {
        if (acceptedVersions.has(globalVersion)) return true;
        if (rejectedVersions.has(globalVersion)) return false;
        const globalVersionMatch = globalVersion.match(re);
        if (!globalVersionMatch) return _reject(globalVersion);
        const globalVersionParsed = {
          major: +globalVersionMatch[1],
          minor: +globalVersionMatch[2],
          patch: +globalVersionMatch[3],
          prerelease: globalVersionMatch[4]
        };
        if (globalVersionParsed.prerelease != null) return _reject(globalVersion);
        if (ownVersionParsed.major !== globalVersionParsed.major) return _reject(globalVersion);
        if (ownVersionParsed.major === 0) {
          if (ownVersionParsed.minor === globalVersionParsed.minor && ownVersionParsed.patch <= globalVersionParsed.patch) return _accept(globalVersion);
          return _reject(globalVersion);
        }
        if (ownVersionParsed.minor <= globalVersionParsed.minor) return _accept(globalVersion);
        return _reject(globalVersion);
      };
    }
    var isCompatible = _makeCompatibilityCheck(require_version3.VERSION);
    exports2._makeCompatibilityCheck = _makeCompatibilityCheck;
    exports2.isCompatible = isCompatible;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/internal/global-utils.cjs
var require_global_utils = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/internal/global-utils.cjs"(exports2) {
    var require_version3 = require_version();
    var require_semver2 = require_semver();
    var major = require_version3.VERSION.split(".")[0];
    var GLOBAL_OPENTELEMETRY_API_KEY = /* @__PURE__ */ Symbol.for(`opentelemetry.js.api.${major}`);
    var _global = typeof globalThis === "object" ? globalThis : typeof self === "object" ? self : typeof window === "object" ? window : typeof global === "object" ? global : {};
    function _makeGlobalApi() {
      return Object.defineProperty({}, "version", {
        value: require_version3.VERSION,
        enumerable: true,
        writable: false,
        configurable: false
      });
    }
    function registerGlobal(type, instance, diag, allowOverride = false) {
      var _global$GLOBAL_OPENTE;
      const api = _global[GLOBAL_OPENTELEMETRY_API_KEY] = (_global$GLOBAL_OPENTE = _global[GLOBAL_OPENTELEMETRY_API_KEY]) !== null && _global$GLOBAL_OPENTE !== void 0 ? _global$GLOBAL_OPENTE : _makeGlobalApi();
      if (!allowOverride && api[type]) {
        const err = /* @__PURE__ */ new Error(`@opentelemetry/api: Attempted duplicate registration of API: ${type}`);
        diag.error(err.stack || err.message);
        return false;
      }
      if (api.version !== "1.10.0") {
        const err = /* @__PURE__ */ new Error(`@opentelemetry/api: Registration of version v${api.version} for ${type} does not match previously registered API v${require_version3.VERSION}`);
        diag.error(err.stack || err.message);
        return false;
      }
      api[type] = instance;
      diag.debug(`@opentelemetry/api: Registered a global for ${type} v${require_version3.VERSION}.`);
      return true;
    }
    var _compatibleGlobalApi;
    function getGlobal(type) {
      const api = _global[GLOBAL_OPENTELEMETRY_API_KEY];
      if (api == null) return;
      if (api !== _compatibleGlobalApi) {
        if (!api.version || !require_semver2.isCompatible(api.version)) return;
        _compatibleGlobalApi = api;
      }
      return api[type];
    }
    function unregisterGlobal(type, diag) {
      diag.debug(`@opentelemetry/api: Unregistering a global for ${type} v${require_version3.VERSION}.`);
      const api = _global[GLOBAL_OPENTELEMETRY_API_KEY];
      if (api) delete api[type];
    }
    exports2.getGlobal = getGlobal;
    exports2.registerGlobal = registerGlobal;
    exports2.unregisterGlobal = unregisterGlobal;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/diag/ComponentLogger.cjs
var require_ComponentLogger = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/diag/ComponentLogger.cjs"(exports2) {
    var require_global_utils2 = require_global_utils();
    var DiagComponentLogger = class {
      constructor(props) {
        this._namespace = props.namespace || "DiagComponentLogger";
      }
      debug(...args) {
        return logProxy("debug", this._namespace, args);
      }
      error(...args) {
        return logProxy("error", this._namespace, args);
      }
      info(...args) {
        return logProxy("info", this._namespace, args);
      }
      warn(...args) {
        return logProxy("warn", this._namespace, args);
      }
      verbose(...args) {
        return logProxy("verbose", this._namespace, args);
      }
    };
    function logProxy(funcName, namespace, args) {
      const logger = require_global_utils2.getGlobal("diag");
      if (!logger) return;
      return logger[funcName](namespace, ...args);
    }
    exports2.DiagComponentLogger = DiagComponentLogger;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/diag/internal/logLevelLogger.cjs
var require_logLevelLogger = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/diag/internal/logLevelLogger.cjs"(exports2) {
    require_types();
    function createLogLevelDiagLogger(maxLevel, logger) {
      if (maxLevel < 0) maxLevel = 0;
      else if (maxLevel > 9999) maxLevel = 9999;
      logger = logger || {};
      function _filterFunc(funcName, theLevel) {
        const theFunc = logger[funcName];
        if (typeof theFunc === "function" && maxLevel >= theLevel) return theFunc.bind(logger);
        return function() {
        };
      }
      return {
        error: _filterFunc("error", 30),
        warn: _filterFunc("warn", 50),
        info: _filterFunc("info", 60),
        debug: _filterFunc("debug", 70),
        verbose: _filterFunc("verbose", 80)
      };
    }
    exports2.createLogLevelDiagLogger = createLogLevelDiagLogger;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/diag.cjs
var require_diag = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/diag.cjs"(exports2) {
    var require_global_utils2 = require_global_utils();
    var require_ComponentLogger2 = require_ComponentLogger();
    require_types();
    var require_logLevelLogger2 = require_logLevelLogger();
    var API_NAME = "diag";
    var DiagAPI = class DiagAPI2 {
      /** Get the singleton instance of the DiagAPI API */
      static instance() {
        if (!this._instance) this._instance = new DiagAPI2();
        return this._instance;
      }
      /**
      * Private internal constructor
      * @private
      */
      constructor() {
        function _logProxy(funcName) {
          return function(...args) {
            const logger = require_global_utils2.getGlobal("diag");
            if (!logger) return;
            return logger[funcName](...args);
          };
        }
        const self2 = this;
        const setLogger = (logger, optionsOrLogLevel = { logLevel: 60 }) => {
          var _optionsOrLogLevel$lo;
          if (logger === self2) {
            var _err$stack;
            const err = /* @__PURE__ */ new Error("Cannot use diag as the logger for itself. Please use a DiagLogger implementation like ConsoleDiagLogger or a custom implementation");
            self2.error((_err$stack = err.stack) !== null && _err$stack !== void 0 ? _err$stack : err.message);
            return false;
          }
          if (typeof optionsOrLogLevel === "number") optionsOrLogLevel = { logLevel: optionsOrLogLevel };
          const oldLogger = require_global_utils2.getGlobal("diag");
          const newLogger = require_logLevelLogger2.createLogLevelDiagLogger((_optionsOrLogLevel$lo = optionsOrLogLevel.logLevel) !== null && _optionsOrLogLevel$lo !== void 0 ? _optionsOrLogLevel$lo : 60, logger);
          if (oldLogger && !optionsOrLogLevel.suppressOverrideMessage) {
            var _Error$stack;
            const stack = (_Error$stack = (/* @__PURE__ */ new Error()).stack) !== null && _Error$stack !== void 0 ? _Error$stack : "<failed to generate stacktrace>";
            oldLogger.warn(`Current logger will be overwritten from ${stack}`);
            newLogger.warn(`Current logger will overwrite one already registered from ${stack}`);
          }
          return require_global_utils2.registerGlobal("diag", newLogger, self2, true);
        };
        self2.setLogger = setLogger;
        self2.disable = () => {
          require_global_utils2.unregisterGlobal(API_NAME, self2);
        };
        self2.createComponentLogger = (options) => {
          return new require_ComponentLogger2.DiagComponentLogger(options);
        };
        self2.verbose = _logProxy("verbose");
        self2.debug = _logProxy("debug");
        self2.info = _logProxy("info");
        self2.warn = _logProxy("warn");
        self2.error = _logProxy("error");
      }
    };
    exports2.DiagAPI = DiagAPI;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/baggage/internal/baggage-impl.cjs
var require_baggage_impl = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/baggage/internal/baggage-impl.cjs"(exports2) {
    var BaggageImpl = class BaggageImpl2 {
      constructor(entries) {
        this._entries = entries ? new Map(entries) : /* @__PURE__ */ new Map();
      }
      getEntry(key) {
        const entry = this._entries.get(key);
        if (!entry) return;
        return Object.assign({}, entry);
      }
      getAllEntries() {
        return Array.from(this._entries.entries());
      }
      setEntry(key, entry) {
        const newBaggage = new BaggageImpl2(this._entries);
        newBaggage._entries.set(key, entry);
        return newBaggage;
      }
      removeEntry(key) {
        const newBaggage = new BaggageImpl2(this._entries);
        newBaggage._entries.delete(key);
        return newBaggage;
      }
      removeEntries(...keys) {
        const newBaggage = new BaggageImpl2(this._entries);
        for (const key of keys) newBaggage._entries.delete(key);
        return newBaggage;
      }
      clear() {
        return new BaggageImpl2();
      }
    };
    exports2.BaggageImpl = BaggageImpl;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/baggage/internal/symbol.cjs
var require_symbol = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/baggage/internal/symbol.cjs"(exports2) {
    var baggageEntryMetadataSymbol = /* @__PURE__ */ Symbol("BaggageEntryMetadata");
    exports2.baggageEntryMetadataSymbol = baggageEntryMetadataSymbol;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/baggage/utils.cjs
var require_utils = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/baggage/utils.cjs"(exports2) {
    var require_diag2 = require_diag();
    var require_baggage_impl2 = require_baggage_impl();
    var require_symbol2 = require_symbol();
    var diag = require_diag2.DiagAPI.instance();
    function createBaggage(entries = {}) {
      return new require_baggage_impl2.BaggageImpl(new Map(Object.entries(entries)));
    }
    function baggageEntryMetadataFromString(str) {
      if (typeof str !== "string") {
        diag.error(`Cannot create baggage metadata from unknown type: ${typeof str}`);
        str = "";
      }
      return {
        __TYPE__: require_symbol2.baggageEntryMetadataSymbol,
        toString() {
          return str;
        }
      };
    }
    exports2.baggageEntryMetadataFromString = baggageEntryMetadataFromString;
    exports2.createBaggage = createBaggage;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/context/context.cjs
var require_context = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/context/context.cjs"(exports2) {
    function createContextKey(description) {
      return Symbol.for(description);
    }
    var ROOT_CONTEXT = new class BaseContext {
      /**
      * Construct a new context which inherits values from an optional parent context.
      *
      * @param parentContext a context from which to inherit values
      */
      constructor(parentContext) {
        const self2 = this;
        self2._currentContext = parentContext ? new Map(parentContext) : /* @__PURE__ */ new Map();
        self2.getValue = (key) => self2._currentContext.get(key);
        self2.setValue = (key, value) => {
          const context = new BaseContext(self2._currentContext);
          context._currentContext.set(key, value);
          return context;
        };
        self2.deleteValue = (key) => {
          const context = new BaseContext(self2._currentContext);
          context._currentContext.delete(key);
          return context;
        };
      }
    }();
    exports2.ROOT_CONTEXT = ROOT_CONTEXT;
    exports2.createContextKey = createContextKey;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/diag/consoleLogger.cjs
var require_consoleLogger = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/diag/consoleLogger.cjs"(exports2) {
    var consoleMap = [
      {
        n: "error",
        c: "error"
      },
      {
        n: "warn",
        c: "warn"
      },
      {
        n: "info",
        c: "info"
      },
      {
        n: "debug",
        c: "debug"
      },
      {
        n: "verbose",
        c: "trace"
      }
    ];
    var _originalConsoleMethods = {};
    if (typeof console !== "undefined") {
      for (const key of [
        "error",
        "warn",
        "info",
        "debug",
        "trace",
        "log"
      ]) if (typeof console[key] === "function") _originalConsoleMethods[key] = console[key];
    }
    var DiagConsoleLogger = class {
      constructor() {
        function _consoleFunc(funcName) {
          return function(...args) {
            let theFunc = _originalConsoleMethods[funcName];
            if (typeof theFunc !== "function") theFunc = _originalConsoleMethods["log"];
            if (typeof theFunc !== "function" && console) {
              theFunc = console[funcName];
              if (typeof theFunc !== "function") theFunc = console.log;
            }
            if (typeof theFunc === "function") return theFunc.apply(console, args);
          };
        }
        for (let i = 0; i < consoleMap.length; i++) this[consoleMap[i].n] = _consoleFunc(consoleMap[i].c);
      }
    };
    exports2.DiagConsoleLogger = DiagConsoleLogger;
    exports2._originalConsoleMethods = _originalConsoleMethods;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/metrics/NoopMeter.cjs
var require_NoopMeter = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/metrics/NoopMeter.cjs"(exports2) {
    var NoopMeter = class {
      constructor() {
      }
      /**
      * @see {@link Meter.createGauge}
      */
      createGauge(_name, _options) {
        return NOOP_GAUGE_METRIC;
      }
      /**
      * @see {@link Meter.createHistogram}
      */
      createHistogram(_name, _options) {
        return NOOP_HISTOGRAM_METRIC;
      }
      /**
      * @see {@link Meter.createCounter}
      */
      createCounter(_name, _options) {
        return NOOP_COUNTER_METRIC;
      }
      /**
      * @see {@link Meter.createUpDownCounter}
      */
      createUpDownCounter(_name, _options) {
        return NOOP_UP_DOWN_COUNTER_METRIC;
      }
      /**
      * @see {@link Meter.createObservableGauge}
      */
      createObservableGauge(_name, _options) {
        return NOOP_OBSERVABLE_GAUGE_METRIC;
      }
      /**
      * @see {@link Meter.createObservableCounter}
      */
      createObservableCounter(_name, _options) {
        return NOOP_OBSERVABLE_COUNTER_METRIC;
      }
      /**
      * @see {@link Meter.createObservableUpDownCounter}
      */
      createObservableUpDownCounter(_name, _options) {
        return NOOP_OBSERVABLE_UP_DOWN_COUNTER_METRIC;
      }
      /**
      * @see {@link Meter.addBatchObservableCallback}
      */
      addBatchObservableCallback(_callback, _observables) {
      }
      /**
      * @see {@link Meter.removeBatchObservableCallback}
      */
      removeBatchObservableCallback(_callback) {
      }
    };
    var NoopMetric = class {
    };
    var NoopCounterMetric = class extends NoopMetric {
      add(_value, _attributes) {
      }
    };
    var NoopUpDownCounterMetric = class extends NoopMetric {
      add(_value, _attributes) {
      }
    };
    var NoopGaugeMetric = class extends NoopMetric {
      record(_value, _attributes) {
      }
    };
    var NoopHistogramMetric = class extends NoopMetric {
      record(_value, _attributes) {
      }
    };
    var NoopObservableMetric = class {
      addCallback(_callback) {
      }
      removeCallback(_callback) {
      }
    };
    var NoopObservableCounterMetric = class extends NoopObservableMetric {
    };
    var NoopObservableGaugeMetric = class extends NoopObservableMetric {
    };
    var NoopObservableUpDownCounterMetric = class extends NoopObservableMetric {
    };
    var NOOP_METER = new NoopMeter();
    var NOOP_COUNTER_METRIC = new NoopCounterMetric();
    var NOOP_GAUGE_METRIC = new NoopGaugeMetric();
    var NOOP_HISTOGRAM_METRIC = new NoopHistogramMetric();
    var NOOP_UP_DOWN_COUNTER_METRIC = new NoopUpDownCounterMetric();
    var NOOP_OBSERVABLE_COUNTER_METRIC = new NoopObservableCounterMetric();
    var NOOP_OBSERVABLE_GAUGE_METRIC = new NoopObservableGaugeMetric();
    var NOOP_OBSERVABLE_UP_DOWN_COUNTER_METRIC = new NoopObservableUpDownCounterMetric();
    function createNoopMeter() {
      return NOOP_METER;
    }
    exports2.NOOP_COUNTER_METRIC = NOOP_COUNTER_METRIC;
    exports2.NOOP_GAUGE_METRIC = NOOP_GAUGE_METRIC;
    exports2.NOOP_HISTOGRAM_METRIC = NOOP_HISTOGRAM_METRIC;
    exports2.NOOP_METER = NOOP_METER;
    exports2.NOOP_OBSERVABLE_COUNTER_METRIC = NOOP_OBSERVABLE_COUNTER_METRIC;
    exports2.NOOP_OBSERVABLE_GAUGE_METRIC = NOOP_OBSERVABLE_GAUGE_METRIC;
    exports2.NOOP_OBSERVABLE_UP_DOWN_COUNTER_METRIC = NOOP_OBSERVABLE_UP_DOWN_COUNTER_METRIC;
    exports2.NOOP_UP_DOWN_COUNTER_METRIC = NOOP_UP_DOWN_COUNTER_METRIC;
    exports2.NoopCounterMetric = NoopCounterMetric;
    exports2.NoopGaugeMetric = NoopGaugeMetric;
    exports2.NoopHistogramMetric = NoopHistogramMetric;
    exports2.NoopMeter = NoopMeter;
    exports2.NoopMetric = NoopMetric;
    exports2.NoopObservableCounterMetric = NoopObservableCounterMetric;
    exports2.NoopObservableGaugeMetric = NoopObservableGaugeMetric;
    exports2.NoopObservableMetric = NoopObservableMetric;
    exports2.NoopObservableUpDownCounterMetric = NoopObservableUpDownCounterMetric;
    exports2.NoopUpDownCounterMetric = NoopUpDownCounterMetric;
    exports2.createNoopMeter = createNoopMeter;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/metrics/Metric.cjs
var require_Metric = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/metrics/Metric.cjs"(exports2) {
    var ValueType = /* @__PURE__ */ (function(ValueType2) {
      ValueType2[ValueType2["INT"] = 0] = "INT";
      ValueType2[ValueType2["DOUBLE"] = 1] = "DOUBLE";
      return ValueType2;
    })({});
    exports2.ValueType = ValueType;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs/NoopLogger.cjs
var require_NoopLogger = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs/NoopLogger.cjs"(exports2) {
    var NoopLogger = class {
      emit(_logRecord) {
      }
      enabled() {
        return false;
      }
    };
    var NOOP_LOGGER = new NoopLogger();
    function createNoopLogger() {
      return NOOP_LOGGER;
    }
    exports2.NOOP_LOGGER = NOOP_LOGGER;
    exports2.NoopLogger = NoopLogger;
    exports2.createNoopLogger = createNoopLogger;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs/LogRecord.cjs
var require_LogRecord = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs/LogRecord.cjs"(exports2) {
    var SeverityNumber = /* @__PURE__ */ (function(SeverityNumber2) {
      SeverityNumber2[SeverityNumber2["UNSPECIFIED"] = 0] = "UNSPECIFIED";
      SeverityNumber2[SeverityNumber2["TRACE"] = 1] = "TRACE";
      SeverityNumber2[SeverityNumber2["TRACE2"] = 2] = "TRACE2";
      SeverityNumber2[SeverityNumber2["TRACE3"] = 3] = "TRACE3";
      SeverityNumber2[SeverityNumber2["TRACE4"] = 4] = "TRACE4";
      SeverityNumber2[SeverityNumber2["DEBUG"] = 5] = "DEBUG";
      SeverityNumber2[SeverityNumber2["DEBUG2"] = 6] = "DEBUG2";
      SeverityNumber2[SeverityNumber2["DEBUG3"] = 7] = "DEBUG3";
      SeverityNumber2[SeverityNumber2["DEBUG4"] = 8] = "DEBUG4";
      SeverityNumber2[SeverityNumber2["INFO"] = 9] = "INFO";
      SeverityNumber2[SeverityNumber2["INFO2"] = 10] = "INFO2";
      SeverityNumber2[SeverityNumber2["INFO3"] = 11] = "INFO3";
      SeverityNumber2[SeverityNumber2["INFO4"] = 12] = "INFO4";
      SeverityNumber2[SeverityNumber2["WARN"] = 13] = "WARN";
      SeverityNumber2[SeverityNumber2["WARN2"] = 14] = "WARN2";
      SeverityNumber2[SeverityNumber2["WARN3"] = 15] = "WARN3";
      SeverityNumber2[SeverityNumber2["WARN4"] = 16] = "WARN4";
      SeverityNumber2[SeverityNumber2["ERROR"] = 17] = "ERROR";
      SeverityNumber2[SeverityNumber2["ERROR2"] = 18] = "ERROR2";
      SeverityNumber2[SeverityNumber2["ERROR3"] = 19] = "ERROR3";
      SeverityNumber2[SeverityNumber2["ERROR4"] = 20] = "ERROR4";
      SeverityNumber2[SeverityNumber2["FATAL"] = 21] = "FATAL";
      SeverityNumber2[SeverityNumber2["FATAL2"] = 22] = "FATAL2";
      SeverityNumber2[SeverityNumber2["FATAL3"] = 23] = "FATAL3";
      SeverityNumber2[SeverityNumber2["FATAL4"] = 24] = "FATAL4";
      return SeverityNumber2;
    })({});
    exports2.SeverityNumber = SeverityNumber;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/propagation/TextMapPropagator.cjs
var require_TextMapPropagator = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/propagation/TextMapPropagator.cjs"(exports2) {
    var defaultTextMapGetter = {
      get(carrier, key) {
        if (carrier == null) return;
        return carrier[key];
      },
      keys(carrier) {
        if (carrier == null) return [];
        return Object.keys(carrier);
      }
    };
    var defaultTextMapSetter = { set(carrier, key, value) {
      if (carrier == null) return;
      carrier[key] = value;
    } };
    exports2.defaultTextMapGetter = defaultTextMapGetter;
    exports2.defaultTextMapSetter = defaultTextMapSetter;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/trace_flags.cjs
var require_trace_flags = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/trace_flags.cjs"(exports2) {
    var TraceFlags = /* @__PURE__ */ (function(TraceFlags2) {
      TraceFlags2[TraceFlags2["NONE"] = 0] = "NONE";
      TraceFlags2[TraceFlags2["SAMPLED"] = 1] = "SAMPLED";
      return TraceFlags2;
    })({});
    exports2.TraceFlags = TraceFlags;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/invalid-span-constants.cjs
var require_invalid_span_constants = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/invalid-span-constants.cjs"(exports2) {
    require_trace_flags();
    var INVALID_SPANID = "0000000000000000";
    var INVALID_TRACEID = "00000000000000000000000000000000";
    var INVALID_SPAN_CONTEXT = {
      traceId: INVALID_TRACEID,
      spanId: INVALID_SPANID,
      traceFlags: 0
    };
    exports2.INVALID_SPANID = INVALID_SPANID;
    exports2.INVALID_SPAN_CONTEXT = INVALID_SPAN_CONTEXT;
    exports2.INVALID_TRACEID = INVALID_TRACEID;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/NonRecordingSpan.cjs
var require_NonRecordingSpan = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/NonRecordingSpan.cjs"(exports2) {
    var require_invalid_span_constants2 = require_invalid_span_constants();
    var NonRecordingSpan = class {
      constructor(spanContext = require_invalid_span_constants2.INVALID_SPAN_CONTEXT) {
        this._spanContext = spanContext;
      }
      spanContext() {
        return this._spanContext;
      }
      setAttribute(_key, _value) {
        return this;
      }
      setAttributes(_attributes) {
        return this;
      }
      addEvent(_name, _attributes) {
        return this;
      }
      addLink(_link) {
        return this;
      }
      addLinks(_links) {
        return this;
      }
      setStatus(_status) {
        return this;
      }
      updateName(_name) {
        return this;
      }
      end(_endTime) {
      }
      isRecording() {
        return false;
      }
      recordException(_exception, _time) {
      }
    };
    exports2.NonRecordingSpan = NonRecordingSpan;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/spancontext-utils.cjs
var require_spancontext_utils = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/spancontext-utils.cjs"(exports2) {
    require_invalid_span_constants();
    var require_NonRecordingSpan2 = require_NonRecordingSpan();
    var isHex = new Uint8Array([
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      1,
      1,
      1,
      1,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      1,
      1,
      1,
      1,
      1
    ]);
    function isValidHex(id, length) {
      if (typeof id !== "string" || id.length !== length) return false;
      let r = 0;
      for (let i = 0; i < id.length; i += 4) r += (isHex[id.charCodeAt(i)] | 0) + (isHex[id.charCodeAt(i + 1)] | 0) + (isHex[id.charCodeAt(i + 2)] | 0) + (isHex[id.charCodeAt(i + 3)] | 0);
      return r === length;
    }
    function isValidTraceId(traceId) {
      return isValidHex(traceId, 32) && traceId !== "00000000000000000000000000000000";
    }
    function isValidSpanId(spanId) {
      return isValidHex(spanId, 16) && spanId !== "0000000000000000";
    }
    function isSpanContextValid(spanContext) {
      return isValidTraceId(spanContext.traceId) && isValidSpanId(spanContext.spanId);
    }
    function wrapSpanContext(spanContext) {
      return new require_NonRecordingSpan2.NonRecordingSpan(spanContext);
    }
    exports2.isSpanContextValid = isSpanContextValid;
    exports2.isValidSpanId = isValidSpanId;
    exports2.isValidTraceId = isValidTraceId;
    exports2.wrapSpanContext = wrapSpanContext;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/context/NoopContextManager.cjs
var require_NoopContextManager = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/context/NoopContextManager.cjs"(exports2) {
    var require_context3 = require_context();
    var NoopContextManager = class {
      active() {
        return require_context3.ROOT_CONTEXT;
      }
      with(_context, fn, thisArg, ...args) {
        return fn.call(thisArg, ...args);
      }
      bind(_context, target2) {
        return target2;
      }
      enable() {
        return this;
      }
      disable() {
        return this;
      }
      /** @experimental This API is experimental and may change in minor releases without prior notice. */
      attach(_context) {
        return { dispose() {
        } };
      }
    };
    exports2.NoopContextManager = NoopContextManager;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/context.cjs
var require_context2 = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/context.cjs"(exports2) {
    var require_global_utils2 = require_global_utils();
    var require_diag2 = require_diag();
    var require_NoopContextManager2 = require_NoopContextManager();
    var API_NAME = "context";
    var NOOP_CONTEXT_MANAGER = new require_NoopContextManager2.NoopContextManager();
    var NOOP_TOKEN = Object.freeze({ dispose: () => {
    } });
    var ContextAPI = class ContextAPI2 {
      /** Empty private constructor prevents end users from constructing a new instance of the API */
      constructor() {
        this._attachUnsupportedWarned = false;
      }
      /** Get the singleton instance of the Context API */
      static getInstance() {
        if (!this._instance) this._instance = new ContextAPI2();
        return this._instance;
      }
      /**
      * Set the current context manager.
      *
      * @returns true if the context manager was successfully registered, else false
      */
      setGlobalContextManager(contextManager) {
        return require_global_utils2.registerGlobal(API_NAME, contextManager, require_diag2.DiagAPI.instance());
      }
      /**
      * Get the currently active context
      */
      active() {
        return this._getContextManager().active();
      }
      /**
      * Execute a function with an active context
      *
      * @param context context to be active during function execution
      * @param fn function to execute in a context
      * @param thisArg optional receiver to be used for calling fn
      * @param args optional arguments forwarded to fn
      */
      with(context, fn, thisArg, ...args) {
        return this._getContextManager().with(context, fn, thisArg, ...args);
      }
      /**
      * Bind a context to a target function or event emitter
      *
      * @param context context to bind to the event emitter or function. Defaults to the currently active context
      * @param target function or event emitter to bind
      */
      bind(context, target2) {
        return this._getContextManager().bind(context, target2);
      }
      /**
      * Imperatively sets `context` as active, returning a {@link ContextManagementToken} whose
      * {@link ContextManagementToken.dispose} restores the previous context.
      *
      * This is a delicate, low-level API - prefer {@link with}/{@link bind}, which
      * restore context automatically. Use `attach` only to bridge callback
      * boundaries that `with` cannot wrap. Call `token.dispose()` when the
      * operation is done.
      *
      * **Caveat for async functions:** If called inside an async function before
      * the first `await`, the context change may leak into the caller's context
      * and remain active there. Prefer {@link with} for async code.
      *
      * Support is best-effort and varies by the active ContextManager (see
      * {@link ContextManager.attach}); if it does not implement `attach`, this logs
      * a warning and returns a no-op token.
      *
      * @param context The Context to attach
      * @returns A {@link ContextManagementToken} whose dispose() restores the previous Context
      * @since 1.10.0
      * @experimental This API is experimental and may change in minor releases without prior notice.
      */
      attach(context) {
        const contextManager = this._getContextManager();
        if (contextManager.attach) return contextManager.attach(context);
        if (!this._attachUnsupportedWarned) {
          this._attachUnsupportedWarned = true;
          require_diag2.DiagAPI.instance().warn("The current ContextManager does not implement attach(). The context will not be attached. Use a ContextManager that supports attach() (e.g. AsyncLocalStorageContextManager) or use with()/bind() instead.");
        }
        return NOOP_TOKEN;
      }
      _getContextManager() {
        return require_global_utils2.getGlobal(API_NAME) || NOOP_CONTEXT_MANAGER;
      }
      /** Disable and remove the global context manager */
      disable() {
        this._getContextManager().disable();
        require_global_utils2.unregisterGlobal(API_NAME, require_diag2.DiagAPI.instance());
      }
    };
    exports2.ContextAPI = ContextAPI;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/context-utils.cjs
var require_context_utils = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/context-utils.cjs"(exports2) {
    var require_context3 = require_context();
    var require_context$1 = require_context2();
    var require_NonRecordingSpan2 = require_NonRecordingSpan();
    var SPAN_KEY = require_context3.createContextKey("OpenTelemetry Context Key SPAN");
    function getSpan(context) {
      return context.getValue(SPAN_KEY) || void 0;
    }
    function getActiveSpan() {
      return getSpan(require_context$1.ContextAPI.getInstance().active());
    }
    function setSpan(context, span) {
      return context.setValue(SPAN_KEY, span);
    }
    function deleteSpan(context) {
      return context.deleteValue(SPAN_KEY);
    }
    function setSpanContext(context, spanContext) {
      return setSpan(context, new require_NonRecordingSpan2.NonRecordingSpan(spanContext));
    }
    function getSpanContext(context) {
      var _getSpan;
      return (_getSpan = getSpan(context)) === null || _getSpan === void 0 ? void 0 : _getSpan.spanContext();
    }
    exports2.deleteSpan = deleteSpan;
    exports2.getActiveSpan = getActiveSpan;
    exports2.getSpan = getSpan;
    exports2.getSpanContext = getSpanContext;
    exports2.setSpan = setSpan;
    exports2.setSpanContext = setSpanContext;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/NoopTracer.cjs
var require_NoopTracer = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/NoopTracer.cjs"(exports2) {
    var require_context3 = require_context2();
    var require_NonRecordingSpan2 = require_NonRecordingSpan();
    var require_context_utils2 = require_context_utils();
    var require_spancontext_utils2 = require_spancontext_utils();
    var contextApi = require_context3.ContextAPI.getInstance();
    var NoopTracer = class {
      startSpan(name2, options, context = contextApi.active()) {
        if (Boolean(options === null || options === void 0 ? void 0 : options.root)) return new require_NonRecordingSpan2.NonRecordingSpan();
        const parentFromContext = context && require_context_utils2.getSpanContext(context);
        if (isSpanContext(parentFromContext) && require_spancontext_utils2.isSpanContextValid(parentFromContext)) return new require_NonRecordingSpan2.NonRecordingSpan(parentFromContext);
        else return new require_NonRecordingSpan2.NonRecordingSpan();
      }
      startActiveSpan(name2, arg2, arg3, arg4) {
        var _ctx;
        let opts;
        let ctx;
        let fn;
        if (arguments.length < 2) return;
        else if (arguments.length === 2) fn = arg2;
        else if (arguments.length === 3) {
          opts = arg2;
          fn = arg3;
        } else {
          opts = arg2;
          ctx = arg3;
          fn = arg4;
        }
        const parentContext = (_ctx = ctx) !== null && _ctx !== void 0 ? _ctx : contextApi.active();
        const span = this.startSpan(name2, opts, parentContext);
        const contextWithSpanSet = require_context_utils2.setSpan(parentContext, span);
        return contextApi.with(contextWithSpanSet, fn, void 0, span);
      }
    };
    function isSpanContext(spanContext) {
      return spanContext !== null && typeof spanContext === "object" && "spanId" in spanContext && typeof spanContext["spanId"] === "string" && "traceId" in spanContext && typeof spanContext["traceId"] === "string" && "traceFlags" in spanContext && typeof spanContext["traceFlags"] === "number";
    }
    exports2.NoopTracer = NoopTracer;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/ProxyTracer.cjs
var require_ProxyTracer = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/ProxyTracer.cjs"(exports2) {
    var NOOP_TRACER = new (require_NoopTracer()).NoopTracer();
    var ProxyTracer = class {
      constructor(provider, name2, version2, options) {
        this._provider = provider;
        this.name = name2;
        this.version = version2;
        this.options = options;
      }
      startSpan(name2, options, context) {
        return this._getTracer().startSpan(name2, options, context);
      }
      startActiveSpan(_name, _options, _context, _fn) {
        const tracer = this._getTracer();
        return Reflect.apply(tracer.startActiveSpan, tracer, arguments);
      }
      /**
      * Try to get a tracer from the proxy tracer provider.
      * If the proxy tracer provider has no delegate, return a noop tracer.
      */
      _getTracer() {
        if (this._delegate) return this._delegate;
        const tracer = this._provider.getDelegateTracer(this.name, this.version, this.options);
        if (!tracer) return NOOP_TRACER;
        this._delegate = tracer;
        return this._delegate;
      }
    };
    exports2.ProxyTracer = ProxyTracer;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/span_kind.cjs
var require_span_kind = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/span_kind.cjs"(exports2) {
    var SpanKind = /* @__PURE__ */ (function(SpanKind2) {
      SpanKind2[SpanKind2["INTERNAL"] = 0] = "INTERNAL";
      SpanKind2[SpanKind2["SERVER"] = 1] = "SERVER";
      SpanKind2[SpanKind2["CLIENT"] = 2] = "CLIENT";
      SpanKind2[SpanKind2["PRODUCER"] = 3] = "PRODUCER";
      SpanKind2[SpanKind2["CONSUMER"] = 4] = "CONSUMER";
      return SpanKind2;
    })({});
    exports2.SpanKind = SpanKind;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/status.cjs
var require_status = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/status.cjs"(exports2) {
    var SpanStatusCode = /* @__PURE__ */ (function(SpanStatusCode2) {
      SpanStatusCode2[SpanStatusCode2["UNSET"] = 0] = "UNSET";
      SpanStatusCode2[SpanStatusCode2["OK"] = 1] = "OK";
      SpanStatusCode2[SpanStatusCode2["ERROR"] = 2] = "ERROR";
      return SpanStatusCode2;
    })({});
    exports2.SpanStatusCode = SpanStatusCode;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/internal/tracestate-validators.cjs
var require_tracestate_validators = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/internal/tracestate-validators.cjs"(exports2) {
    var VALID_KEY_CHAR_RANGE = "[_0-9a-z-*/]";
    var VALID_KEY_REGEX = new RegExp(`^(?:${`[a-z]${VALID_KEY_CHAR_RANGE}{0,255}`}|${`[a-z0-9]${VALID_KEY_CHAR_RANGE}{0,240}@[a-z]${VALID_KEY_CHAR_RANGE}{0,13}`})$`);
    var VALID_VALUE_BASE_REGEX = /^[ -~]{0,255}[!-~]$/;
    var INVALID_VALUE_COMMA_EQUAL_REGEX = /,|=/;
    function validateKey(key) {
      return VALID_KEY_REGEX.test(key);
    }
    function validateValue(value) {
      return VALID_VALUE_BASE_REGEX.test(value) && !INVALID_VALUE_COMMA_EQUAL_REGEX.test(value);
    }
    exports2.validateKey = validateKey;
    exports2.validateValue = validateValue;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/internal/tracestate-impl.cjs
var require_tracestate_impl = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/internal/tracestate-impl.cjs"(exports2) {
    var require_tracestate_validators2 = require_tracestate_validators();
    var MAX_TRACE_STATE_ITEMS = 32;
    var MAX_TRACE_STATE_LEN = 512;
    var LIST_MEMBERS_SEPARATOR = ",";
    var LIST_MEMBER_KEY_VALUE_SPLITTER = "=";
    var TraceStateImpl = class TraceStateImpl2 {
      constructor(rawTraceState) {
        this._internalState = /* @__PURE__ */ new Map();
        if (rawTraceState) this._parse(rawTraceState);
      }
      set(key, value) {
        const currValue = this._internalState.get(key);
        let newLength = this.serialize().length;
        if (typeof currValue === "string") newLength += value.length - currValue.length;
        else {
          if (this._internalState.size >= MAX_TRACE_STATE_ITEMS) return this;
          newLength += key.length + value.length + (this._internalState.size > 0 ? 2 : 1);
        }
        if (newLength > MAX_TRACE_STATE_LEN) return this;
        const traceState = this._clone();
        if (traceState._internalState.has(key)) traceState._internalState.delete(key);
        traceState._internalState.set(key, value);
        return traceState;
      }
      unset(key) {
        const traceState = this._clone();
        traceState._internalState.delete(key);
        return traceState;
      }
      get(key) {
        return this._internalState.get(key);
      }
      serialize() {
        return Array.from(this._internalState.keys()).reduceRight((agg, key) => {
          agg.push(key + LIST_MEMBER_KEY_VALUE_SPLITTER + this.get(key));
          return agg;
        }, []).join(LIST_MEMBERS_SEPARATOR);
      }
      _parse(rawTraceState) {
        if (rawTraceState.length > MAX_TRACE_STATE_LEN) return;
        this._internalState = rawTraceState.split(LIST_MEMBERS_SEPARATOR).reduceRight((agg, part) => {
          const listMember = part.trim();
          const i = listMember.indexOf(LIST_MEMBER_KEY_VALUE_SPLITTER);
          if (i !== -1) {
            const key = listMember.slice(0, i);
            const value = listMember.slice(i + 1, part.length);
            if (require_tracestate_validators2.validateKey(key) && require_tracestate_validators2.validateValue(value)) agg.set(key, value);
          }
          return agg;
        }, /* @__PURE__ */ new Map());
        if (this._internalState.size > MAX_TRACE_STATE_ITEMS) this._internalState = new Map(Array.from(this._internalState.entries()).reverse().slice(0, MAX_TRACE_STATE_ITEMS));
      }
      _keys() {
        return Array.from(this._internalState.keys()).reverse();
      }
      _clone() {
        const traceState = new TraceStateImpl2();
        traceState._internalState = new Map(this._internalState);
        return traceState;
      }
    };
    exports2.TraceStateImpl = TraceStateImpl;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/internal/utils.cjs
var require_utils2 = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/internal/utils.cjs"(exports2) {
    var require_tracestate_impl2 = require_tracestate_impl();
    function createTraceState(rawTraceState) {
      return new require_tracestate_impl2.TraceStateImpl(rawTraceState);
    }
    exports2.createTraceState = createTraceState;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/NoopTracerProvider.cjs
var require_NoopTracerProvider = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/NoopTracerProvider.cjs"(exports2) {
    var require_NoopTracer2 = require_NoopTracer();
    var NoopTracerProvider = class {
      getTracer(_name, _version, _options) {
        return new require_NoopTracer2.NoopTracer();
      }
    };
    exports2.NoopTracerProvider = NoopTracerProvider;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/ProxyTracerProvider.cjs
var require_ProxyTracerProvider = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/ProxyTracerProvider.cjs"(exports2) {
    var require_ProxyTracer2 = require_ProxyTracer();
    var NOOP_TRACER_PROVIDER = new (require_NoopTracerProvider()).NoopTracerProvider();
    var ProxyTracerProvider = class {
      /**
      * Get a {@link ProxyTracer}
      */
      getTracer(name2, version2, options) {
        var _this$getDelegateTrac;
        return (_this$getDelegateTrac = this.getDelegateTracer(name2, version2, options)) !== null && _this$getDelegateTrac !== void 0 ? _this$getDelegateTrac : new require_ProxyTracer2.ProxyTracer(this, name2, version2, options);
      }
      getDelegate() {
        var _this$_delegate;
        return (_this$_delegate = this._delegate) !== null && _this$_delegate !== void 0 ? _this$_delegate : NOOP_TRACER_PROVIDER;
      }
      /**
      * Set the delegate tracer provider
      */
      setDelegate(delegate) {
        this._delegate = delegate;
      }
      getDelegateTracer(name2, version2, options) {
        var _this$_delegate2;
        return (_this$_delegate2 = this._delegate) === null || _this$_delegate2 === void 0 ? void 0 : _this$_delegate2.getTracer(name2, version2, options);
      }
    };
    exports2.ProxyTracerProvider = ProxyTracerProvider;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/SamplingResult.cjs
var require_SamplingResult = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace/SamplingResult.cjs"(exports2) {
    var SamplingDecision = /* @__PURE__ */ (function(SamplingDecision2) {
      SamplingDecision2[SamplingDecision2["NOT_RECORD"] = 0] = "NOT_RECORD";
      SamplingDecision2[SamplingDecision2["RECORD"] = 1] = "RECORD";
      SamplingDecision2[SamplingDecision2["RECORD_AND_SAMPLED"] = 2] = "RECORD_AND_SAMPLED";
      return SamplingDecision2;
    })({});
    exports2.SamplingDecision = SamplingDecision;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/context-api.cjs
var require_context_api = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/context-api.cjs"(exports2) {
    var context = require_context2().ContextAPI.getInstance();
    exports2.context = context;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/diag-api.cjs
var require_diag_api = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/diag-api.cjs"(exports2) {
    var diag = require_diag().DiagAPI.instance();
    exports2.diag = diag;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs/NoopLoggerProvider.cjs
var require_NoopLoggerProvider = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs/NoopLoggerProvider.cjs"(exports2) {
    var require_NoopLogger2 = require_NoopLogger();
    var NoopLoggerProvider = class {
      getLogger(_name, _version, _options) {
        return new require_NoopLogger2.NoopLogger();
      }
    };
    var NOOP_LOGGER_PROVIDER = new NoopLoggerProvider();
    exports2.NOOP_LOGGER_PROVIDER = NOOP_LOGGER_PROVIDER;
    exports2.NoopLoggerProvider = NoopLoggerProvider;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs/ProxyLogger.cjs
var require_ProxyLogger = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs/ProxyLogger.cjs"(exports2) {
    var require_NoopLogger2 = require_NoopLogger();
    var ProxyLogger = class {
      constructor(provider, name2, version2, options) {
        this._provider = provider;
        this.name = name2;
        this.version = version2;
        this.options = options;
      }
      /**
      * Emit a log record. This method should only be used by log appenders.
      *
      * @param logRecord
      */
      emit(logRecord) {
        this._getLogger().emit(logRecord);
      }
      enabled(options) {
        return this._getLogger().enabled(options);
      }
      /**
      * Try to get a logger from the proxy logger provider.
      * If the proxy logger provider has no delegate, return a noop logger.
      */
      _getLogger() {
        if (this._delegate) return this._delegate;
        const logger = this._provider._getDelegateLogger(this.name, this.version, this.options);
        if (!logger) return require_NoopLogger2.NOOP_LOGGER;
        this._delegate = logger;
        return this._delegate;
      }
    };
    exports2.ProxyLogger = ProxyLogger;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs/ProxyLoggerProvider.cjs
var require_ProxyLoggerProvider = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs/ProxyLoggerProvider.cjs"(exports2) {
    var require_NoopLoggerProvider2 = require_NoopLoggerProvider();
    var require_ProxyLogger2 = require_ProxyLogger();
    var ProxyLoggerProvider = class {
      getLogger(name2, version2, options) {
        var _this$_getDelegateLog;
        return (_this$_getDelegateLog = this._getDelegateLogger(name2, version2, options)) !== null && _this$_getDelegateLog !== void 0 ? _this$_getDelegateLog : new require_ProxyLogger2.ProxyLogger(this, name2, version2, options);
      }
      /**
      * Get the delegate logger provider.
      * Used by tests only.
      * @internal
      */
      _getDelegate() {
        var _this$_delegate;
        return (_this$_delegate = this._delegate) !== null && _this$_delegate !== void 0 ? _this$_delegate : require_NoopLoggerProvider2.NOOP_LOGGER_PROVIDER;
      }
      /**
      * Set the delegate logger provider
      * @internal
      */
      _setDelegate(delegate) {
        this._delegate = delegate;
      }
      /**
      * @internal
      */
      _getDelegateLogger(name2, version2, options) {
        var _this$_delegate2;
        return (_this$_delegate2 = this._delegate) === null || _this$_delegate2 === void 0 ? void 0 : _this$_delegate2.getLogger(name2, version2, options);
      }
    };
    exports2.ProxyLoggerProvider = ProxyLoggerProvider;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/logs.cjs
var require_logs = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/logs.cjs"(exports2) {
    var require_global_utils2 = require_global_utils();
    var require_diag2 = require_diag();
    var require_ProxyLoggerProvider2 = require_ProxyLoggerProvider();
    var API_NAME = "logs";
    var LogsAPI = class LogsAPI2 {
      /** Empty private constructor prevents end users from constructing a new instance of the API */
      constructor() {
        this._proxyLoggerProvider = new require_ProxyLoggerProvider2.ProxyLoggerProvider();
      }
      /** Get the singleton instance of the Logs API */
      static getInstance() {
        if (!this._instance) this._instance = new LogsAPI2();
        return this._instance;
      }
      setGlobalLoggerProvider(provider) {
        const success = require_global_utils2.registerGlobal(API_NAME, provider, require_diag2.DiagAPI.instance());
        if (success) this._proxyLoggerProvider._setDelegate(provider);
        return success;
      }
      /**
      * Returns the global logger provider.
      *
      * @returns LoggerProvider
      */
      getLoggerProvider() {
        return require_global_utils2.getGlobal(API_NAME) || this._proxyLoggerProvider;
      }
      /**
      * Returns a Logger, creating one if one with the given name, version,
      * schemaUrl, and attributes is not already created.
      *
      * Getting a Logger may be expensive, especially when `attributes` are
      * provided. Reuse Logger instances where possible instead of calling
      * `getLogger()` on hot paths.
      *
      * @param name The name of the logger or instrumentation library.
      * @param version The version of the logger or instrumentation library.
      * @param options The options of the logger or instrumentation library.
      * @returns {@link Logger}
      */
      getLogger(name2, version2, options) {
        return this.getLoggerProvider().getLogger(name2, version2, options);
      }
      /** Remove the global logger provider */
      disable() {
        require_global_utils2.unregisterGlobal(API_NAME, require_diag2.DiagAPI.instance());
        this._proxyLoggerProvider = new require_ProxyLoggerProvider2.ProxyLoggerProvider();
      }
    };
    exports2.LogsAPI = LogsAPI;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs-api.cjs
var require_logs_api = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/logs-api.cjs"(exports2) {
    var logs = require_logs().LogsAPI.getInstance();
    exports2.logs = logs;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/metrics/NoopMeterProvider.cjs
var require_NoopMeterProvider = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/metrics/NoopMeterProvider.cjs"(exports2) {
    var require_NoopMeter2 = require_NoopMeter();
    var NoopMeterProvider = class {
      getMeter(_name, _version, _options) {
        return require_NoopMeter2.NOOP_METER;
      }
    };
    var NOOP_METER_PROVIDER = new NoopMeterProvider();
    exports2.NOOP_METER_PROVIDER = NOOP_METER_PROVIDER;
    exports2.NoopMeterProvider = NoopMeterProvider;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/metrics.cjs
var require_metrics = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/metrics.cjs"(exports2) {
    var require_global_utils2 = require_global_utils();
    var require_diag2 = require_diag();
    var require_NoopMeterProvider2 = require_NoopMeterProvider();
    var API_NAME = "metrics";
    var MetricsAPI = class MetricsAPI2 {
      /** Empty private constructor prevents end users from constructing a new instance of the API */
      constructor() {
      }
      /** Get the singleton instance of the Metrics API */
      static getInstance() {
        if (!this._instance) this._instance = new MetricsAPI2();
        return this._instance;
      }
      /**
      * Set the current global meter provider.
      * Returns true if the meter provider was successfully registered, else false.
      */
      setGlobalMeterProvider(provider) {
        return require_global_utils2.registerGlobal(API_NAME, provider, require_diag2.DiagAPI.instance());
      }
      /**
      * Returns the global meter provider.
      */
      getMeterProvider() {
        return require_global_utils2.getGlobal(API_NAME) || require_NoopMeterProvider2.NOOP_METER_PROVIDER;
      }
      /**
      * Returns a meter from the global meter provider.
      */
      getMeter(name2, version2, options) {
        return this.getMeterProvider().getMeter(name2, version2, options);
      }
      /** Remove the global meter provider */
      disable() {
        require_global_utils2.unregisterGlobal(API_NAME, require_diag2.DiagAPI.instance());
      }
    };
    exports2.MetricsAPI = MetricsAPI;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/metrics-api.cjs
var require_metrics_api = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/metrics-api.cjs"(exports2) {
    var metrics = require_metrics().MetricsAPI.getInstance();
    exports2.metrics = metrics;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/propagation/NoopTextMapPropagator.cjs
var require_NoopTextMapPropagator = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/propagation/NoopTextMapPropagator.cjs"(exports2) {
    var NoopTextMapPropagator = class {
      /** Noop inject function does nothing */
      inject(_context, _carrier) {
      }
      /** Noop extract function does nothing and returns the input context */
      extract(context, _carrier) {
        return context;
      }
      fields() {
        return [];
      }
    };
    exports2.NoopTextMapPropagator = NoopTextMapPropagator;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/baggage/context-helpers.cjs
var require_context_helpers = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/baggage/context-helpers.cjs"(exports2) {
    var require_context3 = require_context();
    var require_context$1 = require_context2();
    var BAGGAGE_KEY = require_context3.createContextKey("OpenTelemetry Baggage Key");
    function getBaggage(context) {
      return context.getValue(BAGGAGE_KEY) || void 0;
    }
    function getActiveBaggage() {
      return getBaggage(require_context$1.ContextAPI.getInstance().active());
    }
    function setBaggage(context, baggage) {
      return context.setValue(BAGGAGE_KEY, baggage);
    }
    function deleteBaggage(context) {
      return context.deleteValue(BAGGAGE_KEY);
    }
    exports2.deleteBaggage = deleteBaggage;
    exports2.getActiveBaggage = getActiveBaggage;
    exports2.getBaggage = getBaggage;
    exports2.setBaggage = setBaggage;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/propagation.cjs
var require_propagation = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/propagation.cjs"(exports2) {
    var require_global_utils2 = require_global_utils();
    var require_diag2 = require_diag();
    var require_utils3 = require_utils();
    var require_TextMapPropagator2 = require_TextMapPropagator();
    var require_NoopTextMapPropagator2 = require_NoopTextMapPropagator();
    var require_context_helpers2 = require_context_helpers();
    var API_NAME = "propagation";
    var NOOP_TEXT_MAP_PROPAGATOR = new require_NoopTextMapPropagator2.NoopTextMapPropagator();
    var PropagationAPI = class PropagationAPI2 {
      /** Empty private constructor prevents end users from constructing a new instance of the API */
      constructor() {
        this.createBaggage = require_utils3.createBaggage;
        this.getBaggage = require_context_helpers2.getBaggage;
        this.getActiveBaggage = require_context_helpers2.getActiveBaggage;
        this.setBaggage = require_context_helpers2.setBaggage;
        this.deleteBaggage = require_context_helpers2.deleteBaggage;
      }
      /** Get the singleton instance of the Propagator API */
      static getInstance() {
        if (!this._instance) this._instance = new PropagationAPI2();
        return this._instance;
      }
      /**
      * Set the current propagator.
      *
      * @returns true if the propagator was successfully registered, else false
      */
      setGlobalPropagator(propagator) {
        return require_global_utils2.registerGlobal(API_NAME, propagator, require_diag2.DiagAPI.instance());
      }
      /**
      * Inject context into a carrier to be propagated inter-process
      *
      * @param context Context carrying tracing data to inject
      * @param carrier carrier to inject context into
      * @param setter Function used to set values on the carrier
      */
      inject(context, carrier, setter = require_TextMapPropagator2.defaultTextMapSetter) {
        return this._getGlobalPropagator().inject(context, carrier, setter);
      }
      /**
      * Extract context from a carrier
      *
      * @param context Context which the newly created context will inherit from
      * @param carrier Carrier to extract context from
      * @param getter Function used to extract keys from a carrier
      */
      extract(context, carrier, getter = require_TextMapPropagator2.defaultTextMapGetter) {
        return this._getGlobalPropagator().extract(context, carrier, getter);
      }
      /**
      * Return a list of all fields which may be used by the propagator.
      */
      fields() {
        return this._getGlobalPropagator().fields();
      }
      /** Remove the global propagator */
      disable() {
        require_global_utils2.unregisterGlobal(API_NAME, require_diag2.DiagAPI.instance());
      }
      _getGlobalPropagator() {
        return require_global_utils2.getGlobal(API_NAME) || NOOP_TEXT_MAP_PROPAGATOR;
      }
    };
    exports2.PropagationAPI = PropagationAPI;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/propagation-api.cjs
var require_propagation_api = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/propagation-api.cjs"(exports2) {
    var propagation = require_propagation().PropagationAPI.getInstance();
    exports2.propagation = propagation;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/trace.cjs
var require_trace = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/api/trace.cjs"(exports2) {
    var require_global_utils2 = require_global_utils();
    var require_diag2 = require_diag();
    var require_context_utils2 = require_context_utils();
    var require_spancontext_utils2 = require_spancontext_utils();
    var require_ProxyTracerProvider2 = require_ProxyTracerProvider();
    var API_NAME = "trace";
    var TraceAPI = class TraceAPI2 {
      /** Empty private constructor prevents end users from constructing a new instance of the API */
      constructor() {
        this._proxyTracerProvider = new require_ProxyTracerProvider2.ProxyTracerProvider();
        this.wrapSpanContext = require_spancontext_utils2.wrapSpanContext;
        this.isSpanContextValid = require_spancontext_utils2.isSpanContextValid;
        this.deleteSpan = require_context_utils2.deleteSpan;
        this.getSpan = require_context_utils2.getSpan;
        this.getActiveSpan = require_context_utils2.getActiveSpan;
        this.getSpanContext = require_context_utils2.getSpanContext;
        this.setSpan = require_context_utils2.setSpan;
        this.setSpanContext = require_context_utils2.setSpanContext;
      }
      /** Get the singleton instance of the Trace API */
      static getInstance() {
        if (!this._instance) this._instance = new TraceAPI2();
        return this._instance;
      }
      /**
      * Set the current global tracer.
      *
      * @returns true if the tracer provider was successfully registered, else false
      */
      setGlobalTracerProvider(provider) {
        const success = require_global_utils2.registerGlobal(API_NAME, this._proxyTracerProvider, require_diag2.DiagAPI.instance());
        if (success) this._proxyTracerProvider.setDelegate(provider);
        return success;
      }
      /**
      * Returns the global tracer provider.
      */
      getTracerProvider() {
        return require_global_utils2.getGlobal(API_NAME) || this._proxyTracerProvider;
      }
      /**
      * Returns a tracer from the global tracer provider.
      */
      getTracer(name2, version2) {
        return this.getTracerProvider().getTracer(name2, version2);
      }
      /** Remove the global tracer provider */
      disable() {
        require_global_utils2.unregisterGlobal(API_NAME, require_diag2.DiagAPI.instance());
        this._proxyTracerProvider = new require_ProxyTracerProvider2.ProxyTracerProvider();
      }
    };
    exports2.TraceAPI = TraceAPI;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace-api.cjs
var require_trace_api = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/trace-api.cjs"(exports2) {
    var trace = require_trace().TraceAPI.getInstance();
    exports2.trace = trace;
  }
});

// ../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/index.cjs
var require_dist = __commonJS({
  "../../node_modules/.pnpm/@opentelemetry+api@1.10.0/node_modules/@opentelemetry/api/dist/index.cjs"(exports2) {
    Object.defineProperties(exports2, {
      __esModule: { value: true },
      [Symbol.toStringTag]: { value: "Module" }
    });
    var require_types2 = require_types();
    var require_utils3 = require_utils();
    var require_context3 = require_context();
    var require_consoleLogger2 = require_consoleLogger();
    var require_NoopMeter2 = require_NoopMeter();
    var require_Metric2 = require_Metric();
    var require_NoopLogger2 = require_NoopLogger();
    var require_LogRecord2 = require_LogRecord();
    var require_TextMapPropagator2 = require_TextMapPropagator();
    var require_trace_flags2 = require_trace_flags();
    var require_invalid_span_constants2 = require_invalid_span_constants();
    var require_spancontext_utils2 = require_spancontext_utils();
    var require_ProxyTracer2 = require_ProxyTracer();
    var require_span_kind2 = require_span_kind();
    var require_status2 = require_status();
    var require_utils$1 = require_utils2();
    var require_ProxyTracerProvider2 = require_ProxyTracerProvider();
    var require_SamplingResult2 = require_SamplingResult();
    var require_context_api2 = require_context_api();
    var require_diag_api2 = require_diag_api();
    var require_logs_api2 = require_logs_api();
    var require_metrics_api2 = require_metrics_api();
    var require_propagation_api2 = require_propagation_api();
    var require_trace_api2 = require_trace_api();
    var src_default = {
      context: require_context_api2.context,
      diag: require_diag_api2.diag,
      logs: require_logs_api2.logs,
      metrics: require_metrics_api2.metrics,
      propagation: require_propagation_api2.propagation,
      trace: require_trace_api2.trace
    };
    exports2.DiagConsoleLogger = require_consoleLogger2.DiagConsoleLogger;
    exports2.DiagLogLevel = require_types2.DiagLogLevel;
    exports2.INVALID_SPANID = require_invalid_span_constants2.INVALID_SPANID;
    exports2.INVALID_SPAN_CONTEXT = require_invalid_span_constants2.INVALID_SPAN_CONTEXT;
    exports2.INVALID_TRACEID = require_invalid_span_constants2.INVALID_TRACEID;
    exports2.ProxyTracer = require_ProxyTracer2.ProxyTracer;
    exports2.ProxyTracerProvider = require_ProxyTracerProvider2.ProxyTracerProvider;
    exports2.ROOT_CONTEXT = require_context3.ROOT_CONTEXT;
    exports2.SamplingDecision = require_SamplingResult2.SamplingDecision;
    exports2.SeverityNumber = require_LogRecord2.SeverityNumber;
    exports2.SpanKind = require_span_kind2.SpanKind;
    exports2.SpanStatusCode = require_status2.SpanStatusCode;
    exports2.TraceFlags = require_trace_flags2.TraceFlags;
    exports2.ValueType = require_Metric2.ValueType;
    exports2.baggageEntryMetadataFromString = require_utils3.baggageEntryMetadataFromString;
    exports2.context = require_context_api2.context;
    exports2.createContextKey = require_context3.createContextKey;
    exports2.createNoopLogger = require_NoopLogger2.createNoopLogger;
    exports2.createNoopMeter = require_NoopMeter2.createNoopMeter;
    exports2.createTraceState = require_utils$1.createTraceState;
    exports2.default = src_default;
    exports2.defaultTextMapGetter = require_TextMapPropagator2.defaultTextMapGetter;
    exports2.defaultTextMapSetter = require_TextMapPropagator2.defaultTextMapSetter;
    exports2.diag = require_diag_api2.diag;
    exports2.isSpanContextValid = require_spancontext_utils2.isSpanContextValid;
    exports2.isValidSpanId = require_spancontext_utils2.isValidSpanId;
    exports2.isValidTraceId = require_spancontext_utils2.isValidTraceId;
    exports2.logs = require_logs_api2.logs;
    exports2.metrics = require_metrics_api2.metrics;
    exports2.propagation = require_propagation_api2.propagation;
    exports2.trace = require_trace_api2.trace;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processCpuTotal.js
var require_processCpuTotal = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processCpuTotal.js"(exports2, module2) {
    "use strict";
    var OtelApi = require_dist();
    var Counter2 = require_counter();
    var PROCESS_CPU_USER_SECONDS = "process_cpu_user_seconds_total";
    var PROCESS_CPU_SYSTEM_SECONDS = "process_cpu_system_seconds_total";
    var PROCESS_CPU_SECONDS = "process_cpu_seconds_total";
    module2.exports = (registry2, config2 = {}) => {
      const registers = registry2 ? [registry2] : void 0;
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const exemplars = config2.enableExemplars ? config2.enableExemplars : false;
      const labelNames = Object.keys(labels);
      let lastCpuUsage = process.cpuUsage();
      const cpuUserUsageCounter = new Counter2({
        name: namePrefix + PROCESS_CPU_USER_SECONDS,
        help: "Total user CPU time spent in seconds.",
        enableExemplars: exemplars,
        registers,
        labelNames,
        // Use this one metric's `collect` to set all metrics' values.
        collect() {
          const cpuUsage = process.cpuUsage();
          const userUsageMicros = cpuUsage.user - lastCpuUsage.user;
          const systemUsageMicros = cpuUsage.system - lastCpuUsage.system;
          lastCpuUsage = cpuUsage;
          if (this.enableExemplars) {
            let exemplarLabels = {};
            const currentSpan = OtelApi.trace.getSpan(OtelApi.context.active());
            if (currentSpan) {
              exemplarLabels = {
                traceId: currentSpan.spanContext().traceId,
                spanId: currentSpan.spanContext().spanId
              };
            }
            cpuUserUsageCounter.inc({
              labels,
              value: userUsageMicros / 1e6,
              exemplarLabels
            });
            cpuSystemUsageCounter.inc({
              labels,
              value: systemUsageMicros / 1e6,
              exemplarLabels
            });
            cpuUsageCounter.inc({
              labels,
              value: (userUsageMicros + systemUsageMicros) / 1e6,
              exemplarLabels
            });
          } else {
            cpuUserUsageCounter.inc(labels, userUsageMicros / 1e6);
            cpuSystemUsageCounter.inc(labels, systemUsageMicros / 1e6);
            cpuUsageCounter.inc(
              labels,
              (userUsageMicros + systemUsageMicros) / 1e6
            );
          }
        }
      });
      const cpuSystemUsageCounter = new Counter2({
        name: namePrefix + PROCESS_CPU_SYSTEM_SECONDS,
        help: "Total system CPU time spent in seconds.",
        enableExemplars: exemplars,
        registers,
        labelNames
      });
      const cpuUsageCounter = new Counter2({
        name: namePrefix + PROCESS_CPU_SECONDS,
        help: "Total user and system CPU time spent in seconds.",
        enableExemplars: exemplars,
        registers,
        labelNames
      });
    };
    module2.exports.metricNames = [
      PROCESS_CPU_USER_SECONDS,
      PROCESS_CPU_SYSTEM_SECONDS,
      PROCESS_CPU_SECONDS
    ];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processStartTime.js
var require_processStartTime = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processStartTime.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var startInSeconds = Math.round(Date.now() / 1e3 - process.uptime());
    var PROCESS_START_TIME = "process_start_time_seconds";
    module2.exports = (registry2, config2 = {}) => {
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      new Gauge2({
        name: namePrefix + PROCESS_START_TIME,
        help: "Start time of the process since unix epoch in seconds.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        aggregator: "omit",
        collect() {
          this.set(labels, startInSeconds);
        }
      });
    };
    module2.exports.metricNames = [PROCESS_START_TIME];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/osMemoryHeapLinux.js
var require_osMemoryHeapLinux = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/osMemoryHeapLinux.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var fs = require("fs");
    var values = ["VmSize", "VmRSS", "VmData"];
    var PROCESS_RESIDENT_MEMORY = "process_resident_memory_bytes";
    var PROCESS_VIRTUAL_MEMORY = "process_virtual_memory_bytes";
    var PROCESS_HEAP = "process_heap_bytes";
    function structureOutput(input) {
      return input.split("\n").reduce((acc, string3) => {
        if (!values.some((value2) => string3.startsWith(value2))) {
          return acc;
        }
        const split = string3.split(":");
        let value = split[1].trim();
        value = value.substr(0, value.length - 3);
        value = Number(value) * 1024;
        acc[split[0]] = value;
        return acc;
      }, {});
    }
    module2.exports = (registry2, config2 = {}) => {
      const registers = registry2 ? [registry2] : void 0;
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      const residentMemGauge = new Gauge2({
        name: namePrefix + PROCESS_RESIDENT_MEMORY,
        help: "Resident memory size in bytes.",
        registers,
        labelNames,
        // Use this one metric's `collect` to set all metrics' values.
        collect() {
          try {
            const stat = fs.readFileSync("/proc/self/status", "utf8");
            const structuredOutput = structureOutput(stat);
            residentMemGauge.set(labels, structuredOutput.VmRSS);
            virtualMemGauge.set(labels, structuredOutput.VmSize);
            heapSizeMemGauge.set(labels, structuredOutput.VmData);
          } catch {
          }
        }
      });
      const virtualMemGauge = new Gauge2({
        name: namePrefix + PROCESS_VIRTUAL_MEMORY,
        help: "Virtual memory size in bytes.",
        registers,
        labelNames
      });
      const heapSizeMemGauge = new Gauge2({
        name: namePrefix + PROCESS_HEAP,
        help: "Process heap size in bytes.",
        registers,
        labelNames
      });
    };
    module2.exports.metricNames = [
      PROCESS_RESIDENT_MEMORY,
      PROCESS_VIRTUAL_MEMORY,
      PROCESS_HEAP
    ];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/helpers/safeMemoryUsage.js
var require_safeMemoryUsage = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/helpers/safeMemoryUsage.js"(exports2, module2) {
    "use strict";
    function safeMemoryUsage() {
      try {
        return process.memoryUsage();
      } catch {
        return;
      }
    }
    module2.exports = safeMemoryUsage;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/osMemoryHeap.js
var require_osMemoryHeap = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/osMemoryHeap.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var linuxVariant = require_osMemoryHeapLinux();
    var safeMemoryUsage = require_safeMemoryUsage();
    var PROCESS_RESIDENT_MEMORY = "process_resident_memory_bytes";
    function notLinuxVariant(registry2, config2 = {}) {
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      new Gauge2({
        name: namePrefix + PROCESS_RESIDENT_MEMORY,
        help: "Resident memory size in bytes.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        collect() {
          const memUsage = safeMemoryUsage();
          if (memUsage) {
            this.set(labels, memUsage.rss);
          }
        }
      });
    }
    module2.exports = (registry2, config2) => process.platform === "linux" ? linuxVariant(registry2, config2) : notLinuxVariant(registry2, config2);
    module2.exports.metricNames = process.platform === "linux" ? linuxVariant.metricNames : [PROCESS_RESIDENT_MEMORY];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processOpenFileDescriptors.js
var require_processOpenFileDescriptors = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processOpenFileDescriptors.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var fs = require("fs");
    var process2 = require("process");
    var PROCESS_OPEN_FDS = "process_open_fds";
    module2.exports = (registry2, config2 = {}) => {
      if (process2.platform !== "linux") {
        return;
      }
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      new Gauge2({
        name: namePrefix + PROCESS_OPEN_FDS,
        help: "Number of open file descriptors.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        collect() {
          try {
            const fds = fs.readdirSync("/proc/self/fd");
            this.set(labels, fds.length - 1);
          } catch {
          }
        }
      });
    };
    module2.exports.metricNames = [PROCESS_OPEN_FDS];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processMaxFileDescriptors.js
var require_processMaxFileDescriptors = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processMaxFileDescriptors.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var fs = require("fs");
    var PROCESS_MAX_FDS = "process_max_fds";
    var maxFds;
    module2.exports = (registry2, config2 = {}) => {
      if (maxFds === void 0) {
        try {
          const limits = fs.readFileSync("/proc/self/limits", "utf8");
          const lines = limits.split("\n");
          for (const line of lines) {
            if (line.startsWith("Max open files")) {
              const parts = line.split(/  +/);
              maxFds = Number(parts[1]);
              break;
            }
          }
        } catch {
          return;
        }
      }
      if (maxFds === void 0) return;
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      new Gauge2({
        name: namePrefix + PROCESS_MAX_FDS,
        help: "Maximum number of open file descriptors.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        collect() {
          if (maxFds !== void 0) this.set(labels, maxFds);
        }
      });
    };
    module2.exports.metricNames = [PROCESS_MAX_FDS];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/eventLoopLag.js
var require_eventLoopLag = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/eventLoopLag.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var perf_hooks;
    try {
      perf_hooks = require("perf_hooks");
    } catch {
    }
    var NODEJS_EVENTLOOP_LAG = "nodejs_eventloop_lag_seconds";
    var NODEJS_EVENTLOOP_LAG_MIN = "nodejs_eventloop_lag_min_seconds";
    var NODEJS_EVENTLOOP_LAG_MAX = "nodejs_eventloop_lag_max_seconds";
    var NODEJS_EVENTLOOP_LAG_MEAN = "nodejs_eventloop_lag_mean_seconds";
    var NODEJS_EVENTLOOP_LAG_STDDEV = "nodejs_eventloop_lag_stddev_seconds";
    var NODEJS_EVENTLOOP_LAG_P50 = "nodejs_eventloop_lag_p50_seconds";
    var NODEJS_EVENTLOOP_LAG_P90 = "nodejs_eventloop_lag_p90_seconds";
    var NODEJS_EVENTLOOP_LAG_P99 = "nodejs_eventloop_lag_p99_seconds";
    function reportEventloopLag(start, gauge, labels) {
      const delta = process.hrtime(start);
      const nanosec = delta[0] * 1e9 + delta[1];
      const seconds = nanosec / 1e9;
      gauge.set(labels, seconds);
    }
    module2.exports = (registry2, config2 = {}) => {
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      const registers = registry2 ? [registry2] : void 0;
      let collect = () => {
        const start = process.hrtime();
        setImmediate(reportEventloopLag, start, lag, labels);
      };
      if (perf_hooks && perf_hooks.monitorEventLoopDelay) {
        try {
          const histogram = perf_hooks.monitorEventLoopDelay({
            resolution: config2.eventLoopMonitoringPrecision
          });
          histogram.enable();
          collect = () => {
            const start = process.hrtime();
            setImmediate(reportEventloopLag, start, lag, labels);
            lagMin.set(labels, histogram.min / 1e9);
            lagMax.set(labels, histogram.max / 1e9);
            lagMean.set(labels, histogram.mean / 1e9);
            lagStddev.set(labels, histogram.stddev / 1e9);
            lagP50.set(labels, histogram.percentile(50) / 1e9);
            lagP90.set(labels, histogram.percentile(90) / 1e9);
            lagP99.set(labels, histogram.percentile(99) / 1e9);
            histogram.reset();
          };
        } catch (e) {
          if (e.code === "ERR_NOT_IMPLEMENTED") {
            return;
          }
          throw e;
        }
      }
      const lag = new Gauge2({
        name: namePrefix + NODEJS_EVENTLOOP_LAG,
        help: "Lag of event loop in seconds.",
        registers,
        labelNames,
        aggregator: "average",
        // Use this one metric's `collect` to set all metrics' values.
        collect
      });
      const lagMin = new Gauge2({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_MIN,
        help: "The minimum recorded event loop delay.",
        registers,
        labelNames,
        aggregator: "min"
      });
      const lagMax = new Gauge2({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_MAX,
        help: "The maximum recorded event loop delay.",
        registers,
        labelNames,
        aggregator: "max"
      });
      const lagMean = new Gauge2({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_MEAN,
        help: "The mean of the recorded event loop delays.",
        registers,
        labelNames,
        aggregator: "average"
      });
      const lagStddev = new Gauge2({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_STDDEV,
        help: "The standard deviation of the recorded event loop delays.",
        registers,
        labelNames,
        aggregator: "average"
      });
      const lagP50 = new Gauge2({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_P50,
        help: "The 50th percentile of the recorded event loop delays.",
        registers,
        labelNames,
        aggregator: "average"
      });
      const lagP90 = new Gauge2({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_P90,
        help: "The 90th percentile of the recorded event loop delays.",
        registers,
        labelNames,
        aggregator: "average"
      });
      const lagP99 = new Gauge2({
        name: namePrefix + NODEJS_EVENTLOOP_LAG_P99,
        help: "The 99th percentile of the recorded event loop delays.",
        registers,
        labelNames,
        aggregator: "average"
      });
    };
    module2.exports.metricNames = [
      NODEJS_EVENTLOOP_LAG,
      NODEJS_EVENTLOOP_LAG_MIN,
      NODEJS_EVENTLOOP_LAG_MAX,
      NODEJS_EVENTLOOP_LAG_MEAN,
      NODEJS_EVENTLOOP_LAG_STDDEV,
      NODEJS_EVENTLOOP_LAG_P50,
      NODEJS_EVENTLOOP_LAG_P90,
      NODEJS_EVENTLOOP_LAG_P99
    ];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/helpers/processMetricsHelpers.js
var require_processMetricsHelpers = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/helpers/processMetricsHelpers.js"(exports2, module2) {
    "use strict";
    function aggregateByObjectName(list) {
      const data = {};
      for (let i = 0; i < list.length; i++) {
        const listElement = list[i];
        if (!listElement || typeof listElement.constructor === "undefined") {
          continue;
        }
        if (Object.hasOwnProperty.call(data, listElement.constructor.name)) {
          data[listElement.constructor.name] += 1;
        } else {
          data[listElement.constructor.name] = 1;
        }
      }
      return data;
    }
    function updateMetrics(gauge, data, labels) {
      gauge.reset();
      for (const key in data) {
        gauge.set(Object.assign({ type: key }, labels || {}), data[key]);
      }
    }
    module2.exports = {
      aggregateByObjectName,
      updateMetrics
    };
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processHandles.js
var require_processHandles = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processHandles.js"(exports2, module2) {
    "use strict";
    var { aggregateByObjectName } = require_processMetricsHelpers();
    var { updateMetrics } = require_processMetricsHelpers();
    var Gauge2 = require_gauge();
    var NODEJS_ACTIVE_HANDLES = "nodejs_active_handles";
    var NODEJS_ACTIVE_HANDLES_TOTAL = "nodejs_active_handles_total";
    module2.exports = (registry2, config2 = {}) => {
      if (typeof process._getActiveHandles !== "function") {
        return;
      }
      const registers = registry2 ? [registry2] : void 0;
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      new Gauge2({
        name: namePrefix + NODEJS_ACTIVE_HANDLES,
        help: "Number of active libuv handles grouped by handle type. Every handle type is C++ class name.",
        labelNames: ["type", ...labelNames],
        registers,
        collect() {
          const handles = process._getActiveHandles();
          updateMetrics(this, aggregateByObjectName(handles), labels);
        }
      });
      new Gauge2({
        name: namePrefix + NODEJS_ACTIVE_HANDLES_TOTAL,
        help: "Total number of active handles.",
        registers,
        labelNames,
        collect() {
          const handles = process._getActiveHandles();
          this.set(labels, handles.length);
        }
      });
    };
    module2.exports.metricNames = [
      NODEJS_ACTIVE_HANDLES,
      NODEJS_ACTIVE_HANDLES_TOTAL
    ];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processRequests.js
var require_processRequests = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processRequests.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var { aggregateByObjectName } = require_processMetricsHelpers();
    var { updateMetrics } = require_processMetricsHelpers();
    var NODEJS_ACTIVE_REQUESTS = "nodejs_active_requests";
    var NODEJS_ACTIVE_REQUESTS_TOTAL = "nodejs_active_requests_total";
    module2.exports = (registry2, config2 = {}) => {
      if (typeof process._getActiveRequests !== "function") {
        return;
      }
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      new Gauge2({
        name: namePrefix + NODEJS_ACTIVE_REQUESTS,
        help: "Number of active libuv requests grouped by request type. Every request type is C++ class name.",
        labelNames: ["type", ...labelNames],
        registers: registry2 ? [registry2] : void 0,
        collect() {
          const requests = process._getActiveRequests();
          updateMetrics(this, aggregateByObjectName(requests), labels);
        }
      });
      new Gauge2({
        name: namePrefix + NODEJS_ACTIVE_REQUESTS_TOTAL,
        help: "Total number of active requests.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        collect() {
          const requests = process._getActiveRequests();
          this.set(labels, requests.length);
        }
      });
    };
    module2.exports.metricNames = [
      NODEJS_ACTIVE_REQUESTS,
      NODEJS_ACTIVE_REQUESTS_TOTAL
    ];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processResources.js
var require_processResources = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/processResources.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var { updateMetrics } = require_processMetricsHelpers();
    var NODEJS_ACTIVE_RESOURCES = "nodejs_active_resources";
    var NODEJS_ACTIVE_RESOURCES_TOTAL = "nodejs_active_resources_total";
    module2.exports = (registry2, config2 = {}) => {
      if (typeof process.getActiveResourcesInfo !== "function") {
        return;
      }
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      new Gauge2({
        name: namePrefix + NODEJS_ACTIVE_RESOURCES,
        help: "Number of active resources that are currently keeping the event loop alive, grouped by async resource type.",
        labelNames: ["type", ...labelNames],
        registers: registry2 ? [registry2] : void 0,
        collect() {
          const resources = process.getActiveResourcesInfo();
          const data = {};
          for (let i = 0; i < resources.length; i++) {
            const resource = resources[i];
            if (Object.hasOwn(data, resource)) {
              data[resource] += 1;
            } else {
              data[resource] = 1;
            }
          }
          updateMetrics(this, data, labels);
        }
      });
      new Gauge2({
        name: namePrefix + NODEJS_ACTIVE_RESOURCES_TOTAL,
        help: "Total number of active resources.",
        registers: registry2 ? [registry2] : void 0,
        labelNames,
        collect() {
          const resources = process.getActiveResourcesInfo();
          this.set(labels, resources.length);
        }
      });
    };
    module2.exports.metricNames = [
      NODEJS_ACTIVE_RESOURCES,
      NODEJS_ACTIVE_RESOURCES_TOTAL
    ];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/heapSizeAndUsed.js
var require_heapSizeAndUsed = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/heapSizeAndUsed.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var safeMemoryUsage = require_safeMemoryUsage();
    var NODEJS_HEAP_SIZE_TOTAL = "nodejs_heap_size_total_bytes";
    var NODEJS_HEAP_SIZE_USED = "nodejs_heap_size_used_bytes";
    var NODEJS_EXTERNAL_MEMORY = "nodejs_external_memory_bytes";
    module2.exports = (registry2, config2 = {}) => {
      if (typeof process.memoryUsage !== "function") {
        return;
      }
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      const registers = registry2 ? [registry2] : void 0;
      const namePrefix = config2.prefix ? config2.prefix : "";
      const collect = () => {
        const memUsage = safeMemoryUsage();
        if (memUsage) {
          heapSizeTotal.set(labels, memUsage.heapTotal);
          heapSizeUsed.set(labels, memUsage.heapUsed);
          if (memUsage.external !== void 0) {
            externalMemUsed.set(labels, memUsage.external);
          }
        }
      };
      const heapSizeTotal = new Gauge2({
        name: namePrefix + NODEJS_HEAP_SIZE_TOTAL,
        help: "Process heap size from Node.js in bytes.",
        registers,
        labelNames,
        // Use this one metric's `collect` to set all metrics' values.
        collect
      });
      const heapSizeUsed = new Gauge2({
        name: namePrefix + NODEJS_HEAP_SIZE_USED,
        help: "Process heap size used from Node.js in bytes.",
        registers,
        labelNames
      });
      const externalMemUsed = new Gauge2({
        name: namePrefix + NODEJS_EXTERNAL_MEMORY,
        help: "Node.js external memory size in bytes.",
        registers,
        labelNames
      });
    };
    module2.exports.metricNames = [
      NODEJS_HEAP_SIZE_TOTAL,
      NODEJS_HEAP_SIZE_USED,
      NODEJS_EXTERNAL_MEMORY
    ];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/heapSpacesSizeAndUsed.js
var require_heapSpacesSizeAndUsed = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/heapSpacesSizeAndUsed.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var v8 = require("v8");
    var METRICS = ["total", "used", "available"];
    var NODEJS_HEAP_SIZE = {};
    METRICS.forEach((metricType) => {
      NODEJS_HEAP_SIZE[metricType] = `nodejs_heap_space_size_${metricType}_bytes`;
    });
    module2.exports = (registry2, config2 = {}) => {
      try {
        v8.getHeapSpaceStatistics();
      } catch (e) {
        if (e.code === "ERR_NOT_IMPLEMENTED") {
          return;
        }
        throw e;
      }
      const registers = registry2 ? [registry2] : void 0;
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = ["space", ...Object.keys(labels)];
      const gauges = {};
      METRICS.forEach((metricType) => {
        gauges[metricType] = new Gauge2({
          name: namePrefix + NODEJS_HEAP_SIZE[metricType],
          help: `Process heap space size ${metricType} from Node.js in bytes.`,
          labelNames,
          registers
        });
      });
      gauges.total.collect = () => {
        for (const space of v8.getHeapSpaceStatistics()) {
          const spaceName = space.space_name.substr(
            0,
            space.space_name.indexOf("_space")
          );
          gauges.total.set({ space: spaceName, ...labels }, space.space_size);
          gauges.used.set({ space: spaceName, ...labels }, space.space_used_size);
          gauges.available.set(
            { space: spaceName, ...labels },
            space.space_available_size
          );
        }
      };
    };
    module2.exports.metricNames = Object.values(NODEJS_HEAP_SIZE);
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/version.js
var require_version2 = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/version.js"(exports2, module2) {
    "use strict";
    var Gauge2 = require_gauge();
    var version2 = process.version;
    var versionSegments = version2.slice(1).split(".").map(Number);
    var NODE_VERSION_INFO = "nodejs_version_info";
    module2.exports = (registry2, config2 = {}) => {
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      new Gauge2({
        name: namePrefix + NODE_VERSION_INFO,
        help: "Node.js version info.",
        labelNames: ["version", "major", "minor", "patch", ...labelNames],
        registers: registry2 ? [registry2] : void 0,
        aggregator: "first",
        collect() {
          this.labels(
            version2,
            versionSegments[0],
            versionSegments[1],
            versionSegments[2],
            ...Object.values(labels)
          ).set(1);
        }
      });
    };
    module2.exports.metricNames = [NODE_VERSION_INFO];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/gc.js
var require_gc = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metrics/gc.js"(exports2, module2) {
    "use strict";
    var Histogram = require_histogram();
    var perf_hooks;
    try {
      perf_hooks = require("perf_hooks");
    } catch {
    }
    var NODEJS_GC_DURATION_SECONDS = "nodejs_gc_duration_seconds";
    var DEFAULT_GC_DURATION_BUCKETS = [1e-3, 0.01, 0.1, 1, 2, 5];
    var kinds = [];
    if (perf_hooks && perf_hooks.constants) {
      kinds[perf_hooks.constants.NODE_PERFORMANCE_GC_MAJOR] = "major";
      kinds[perf_hooks.constants.NODE_PERFORMANCE_GC_MINOR] = "minor";
      kinds[perf_hooks.constants.NODE_PERFORMANCE_GC_INCREMENTAL] = "incremental";
      kinds[perf_hooks.constants.NODE_PERFORMANCE_GC_WEAKCB] = "weakcb";
    }
    module2.exports = (registry2, config2 = {}) => {
      if (!perf_hooks) {
        return;
      }
      const namePrefix = config2.prefix ? config2.prefix : "";
      const labels = config2.labels ? config2.labels : {};
      const labelNames = Object.keys(labels);
      const buckets = config2.gcDurationBuckets ? config2.gcDurationBuckets : DEFAULT_GC_DURATION_BUCKETS;
      const gcHistogram = new Histogram({
        name: namePrefix + NODEJS_GC_DURATION_SECONDS,
        help: "Garbage collection duration by kind, one of major, minor, incremental or weakcb.",
        labelNames: ["kind", ...labelNames],
        enableExemplars: false,
        buckets,
        registers: registry2 ? [registry2] : void 0
      });
      const obs = new perf_hooks.PerformanceObserver((list) => {
        const entry = list.getEntries()[0];
        const kind = entry.detail ? kinds[entry.detail.kind] : kinds[entry.kind];
        gcHistogram.observe(Object.assign({ kind }, labels), entry.duration / 1e3);
      });
      obs.observe({ entryTypes: ["gc"] });
    };
    module2.exports.metricNames = [NODEJS_GC_DURATION_SECONDS];
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/defaultMetrics.js
var require_defaultMetrics = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/defaultMetrics.js"(exports2, module2) {
    "use strict";
    var { isObject: isObject2 } = require_util();
    var processCpuTotal = require_processCpuTotal();
    var processStartTime = require_processStartTime();
    var osMemoryHeap = require_osMemoryHeap();
    var processOpenFileDescriptors = require_processOpenFileDescriptors();
    var processMaxFileDescriptors = require_processMaxFileDescriptors();
    var eventLoopLag = require_eventLoopLag();
    var processHandles = require_processHandles();
    var processRequests = require_processRequests();
    var processResources = require_processResources();
    var heapSizeAndUsed = require_heapSizeAndUsed();
    var heapSpacesSizeAndUsed = require_heapSpacesSizeAndUsed();
    var version2 = require_version2();
    var gc = require_gc();
    var metrics = {
      processCpuTotal,
      processStartTime,
      osMemoryHeap,
      processOpenFileDescriptors,
      processMaxFileDescriptors,
      eventLoopLag,
      ...typeof process.getActiveResourcesInfo === "function" ? { processResources } : {},
      processHandles,
      processRequests,
      heapSizeAndUsed,
      heapSpacesSizeAndUsed,
      version: version2,
      gc
    };
    var metricsList = Object.keys(metrics);
    module2.exports = function collectDefaultMetrics(config2) {
      if (config2 !== null && config2 !== void 0 && !isObject2(config2)) {
        throw new TypeError("config must be null, undefined, or an object");
      }
      config2 = { eventLoopMonitoringPrecision: 10, ...config2 };
      for (const metric of Object.values(metrics)) {
        metric(config2.register, config2);
      }
    };
    module2.exports.metricsList = metricsList;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metricAggregators.js
var require_metricAggregators = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/metricAggregators.js"(exports2) {
    "use strict";
    var { Grouper, hashObject } = require_util();
    function AggregatorFactory(aggregatorFn) {
      return (metrics) => {
        if (metrics.length === 0) return;
        const result = {
          help: metrics[0].help,
          name: metrics[0].name,
          type: metrics[0].type,
          values: [],
          aggregator: metrics[0].aggregator
        };
        const byLabels = new Grouper();
        metrics.forEach((metric) => {
          metric.values.forEach((value) => {
            const key = hashObject(value.labels);
            byLabels.add(`${value.metricName}_${key}`, value);
          });
        });
        byLabels.forEach((values) => {
          if (values.length === 0) return;
          const valObj = {
            value: aggregatorFn(values),
            labels: values[0].labels
          };
          if (values[0].metricName) {
            valObj.metricName = values[0].metricName;
          }
          result.values.push(valObj);
        });
        return result;
      };
    }
    exports2.AggregatorFactory = AggregatorFactory;
    exports2.aggregators = {
      /**
       * @return The sum of values.
       */
      sum: AggregatorFactory((v) => v.reduce((p, c) => p + c.value, 0)),
      /**
       * @return The first value.
       */
      first: AggregatorFactory((v) => v[0].value),
      /**
       * @return {undefined} Undefined; omits the metric.
       */
      omit: () => {
      },
      /**
       * @return The arithmetic mean of the values.
       */
      average: AggregatorFactory(
        (v) => v.reduce((p, c) => p + c.value, 0) / v.length
      ),
      /**
       * @return The minimum of the values.
       */
      min: AggregatorFactory(
        (v) => v.reduce((p, c) => Math.min(p, c.value), Infinity)
      ),
      /**
       * @return The maximum of the values.
       */
      max: AggregatorFactory(
        (v) => v.reduce((p, c) => Math.max(p, c.value), -Infinity)
      )
    };
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/cluster.js
var require_cluster = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/lib/cluster.js"(exports2, module2) {
    "use strict";
    var Registry2 = require_registry();
    var { Grouper } = require_util();
    var { aggregators } = require_metricAggregators();
    var cluster = () => {
      const data = require("cluster");
      cluster = () => data;
      return data;
    };
    var GET_METRICS_REQ = "prom-client:getMetricsReq";
    var GET_METRICS_RES = "prom-client:getMetricsRes";
    var registries = [Registry2.globalRegistry];
    var requestCtr = 0;
    var listenersAdded = false;
    var requests = /* @__PURE__ */ new Map();
    var AggregatorRegistry = class extends Registry2 {
      constructor(regContentType = Registry2.PROMETHEUS_CONTENT_TYPE) {
        super(regContentType);
        addListeners();
      }
      /**
       * Gets aggregated metrics for all workers. The optional callback and
       * returned Promise resolve with the same value; either may be used.
       * @return {Promise<string>} Promise that resolves with the aggregated
       *   metrics.
       */
      clusterMetrics() {
        const requestId = requestCtr++;
        return new Promise((resolve2, reject) => {
          let settled = false;
          function done(err, result) {
            if (settled) return;
            settled = true;
            if (err) reject(err);
            else resolve2(result);
          }
          const request = {
            responses: [],
            pending: 0,
            done,
            errorTimeout: setTimeout(() => {
              const err = new Error("Operation timed out.");
              request.done(err);
            }, 5e3)
          };
          requests.set(requestId, request);
          const message = {
            type: GET_METRICS_REQ,
            requestId
          };
          for (const id in cluster().workers) {
            if (cluster().workers[id].isConnected()) {
              cluster().workers[id].send(message);
              request.pending++;
            }
          }
          if (request.pending === 0) {
            clearTimeout(request.errorTimeout);
            process.nextTick(() => done(null, ""));
          }
        });
      }
      get contentType() {
        return super.contentType;
      }
      /**
       * Creates a new Registry instance from an array of metrics that were
       * created by `registry.getMetricsAsJSON()`. Metrics are aggregated using
       * the method specified by their `aggregator` property, or by summation if
       * `aggregator` is undefined.
       * @param {Array} metricsArr Array of metrics, each of which created by
       *   `registry.getMetricsAsJSON()`.
       * @param {string} registryType content type of the new registry. Defaults
       * to PROMETHEUS_CONTENT_TYPE.
       * @return {Registry} aggregated registry.
       */
      static aggregate(metricsArr, registryType = Registry2.PROMETHEUS_CONTENT_TYPE) {
        const aggregatedRegistry = new Registry2();
        const metricsByName = new Grouper();
        aggregatedRegistry.setContentType(registryType);
        metricsArr.forEach((metrics) => {
          metrics.forEach((metric) => {
            metricsByName.add(metric.name, metric);
          });
        });
        metricsByName.forEach((metrics) => {
          const aggregatorName = metrics[0].aggregator;
          const aggregatorFn = aggregators[aggregatorName];
          if (typeof aggregatorFn !== "function") {
            throw new Error(`'${aggregatorName}' is not a defined aggregator.`);
          }
          const aggregatedMetric = aggregatorFn(metrics);
          if (aggregatedMetric) {
            const aggregatedMetricWrapper = Object.assign(
              {
                get: () => aggregatedMetric
              },
              aggregatedMetric
            );
            aggregatedRegistry.registerMetric(aggregatedMetricWrapper);
          }
        });
        return aggregatedRegistry;
      }
      /**
       * Sets the registry or registries to be aggregated. Call from workers to
       * use a registry/registries other than the default global registry.
       * @param {Array<Registry>|Registry} regs Registry or registries to be
       *   aggregated.
       * @return {void}
       */
      static setRegistries(regs) {
        if (!Array.isArray(regs)) regs = [regs];
        regs.forEach((reg) => {
          if (!(reg instanceof Registry2)) {
            throw new TypeError(`Expected Registry, got ${typeof reg}`);
          }
        });
        registries = regs;
      }
    };
    function addListeners() {
      if (listenersAdded) return;
      listenersAdded = true;
      if (cluster().isMaster) {
        cluster().on("message", (worker, message) => {
          if (message.type === GET_METRICS_RES) {
            const request = requests.get(message.requestId);
            if (message.error) {
              request.done(new Error(message.error));
              return;
            }
            message.metrics.forEach((registry2) => request.responses.push(registry2));
            request.pending--;
            if (request.pending === 0) {
              requests.delete(message.requestId);
              clearTimeout(request.errorTimeout);
              const registry2 = AggregatorRegistry.aggregate(request.responses);
              const promString = registry2.metrics();
              request.done(null, promString);
            }
          }
        });
      }
      if (cluster().isWorker) {
        process.on("message", (message) => {
          if (message.type === GET_METRICS_REQ) {
            Promise.all(registries.map((r) => r.getMetricsAsJSON())).then((metrics) => {
              process.send({
                type: GET_METRICS_RES,
                requestId: message.requestId,
                metrics
              });
            }).catch((error2) => {
              process.send({
                type: GET_METRICS_RES,
                requestId: message.requestId,
                error: error2.message
              });
            });
          }
        });
      }
    }
    module2.exports = AggregatorRegistry;
  }
});

// ../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/index.js
var require_prom_client = __commonJS({
  "../../node_modules/.pnpm/prom-client@15.1.3/node_modules/prom-client/index.js"(exports2) {
    "use strict";
    exports2.register = require_registry().globalRegistry;
    exports2.Registry = require_registry();
    Object.defineProperty(exports2, "contentType", {
      configurable: false,
      enumerable: true,
      get() {
        return exports2.register.contentType;
      },
      set(value) {
        exports2.register.setContentType(value);
      }
    });
    exports2.prometheusContentType = exports2.Registry.PROMETHEUS_CONTENT_TYPE;
    exports2.openMetricsContentType = exports2.Registry.OPENMETRICS_CONTENT_TYPE;
    exports2.validateMetricName = require_validation().validateMetricName;
    exports2.Counter = require_counter();
    exports2.Gauge = require_gauge();
    exports2.Histogram = require_histogram();
    exports2.Summary = require_summary();
    exports2.Pushgateway = require_pushgateway();
    exports2.linearBuckets = require_bucketGenerators().linearBuckets;
    exports2.exponentialBuckets = require_bucketGenerators().exponentialBuckets;
    exports2.collectDefaultMetrics = require_defaultMetrics();
    exports2.aggregators = require_metricAggregators().aggregators;
    exports2.AggregatorRegistry = require_cluster();
  }
});

// src/core/index.ts
var index_exports = {};
__export(index_exports, {
  HealthWatch: () => HealthWatch,
  Lifecycle: () => Lifecycle,
  NotificationLimiter: () => NotificationLimiter,
  SharedStorage: () => SharedStorage,
  ShuttingDownError: () => ShuttingDownError,
  WebviewBridge: () => WebviewBridge,
  applyProbe: () => applyProbe,
  breakerAllows: () => breakerAllows,
  closedBreaker: () => closedBreaker,
  createChannelLogger: () => createChannelLogger,
  dashboardHtml: () => dashboardHtml,
  emptyResults: () => emptyResults,
  endpointSchema: () => endpointSchema,
  formatDuration: () => formatDuration,
  formatIssue: () => formatIssue,
  groupName: () => groupName,
  historyLength: () => historyLength,
  incidentsKept: () => incidentsKept,
  nextBreaker: () => nextBreaker,
  parseEndpoints: () => parseEndpoints,
  parseFromDashboard: () => parseFromDashboard,
  parseWorkspaceFile: () => parseWorkspaceFile,
  runProbe: () => runProbe,
  summarize: () => summarize
});
module.exports = __toCommonJS(index_exports);

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/util.js
function getEnumValues(entries) {
  const numericValues = Object.values(entries).filter((v) => typeof v === "number");
  const values = Object.entries(entries).filter(([k, _]) => numericValues.indexOf(+k) === -1).map(([_, v]) => v);
  return values;
}
function joinValues(array2, separator = "|") {
  return array2.map((val) => stringifyPrimitive(val)).join(separator);
}
function jsonStringifyReplacer(_, value) {
  if (typeof value === "bigint")
    return value.toString();
  return value;
}
var Cached = class {
  constructor(getter) {
    this._getter = getter;
    this._value = void 0;
  }
  get value() {
    const getter = this._getter;
    if (getter !== void 0) {
      this._value = getter();
      this._getter = void 0;
    }
    return this._value;
  }
};
function cached(getter) {
  return new Cached(getter);
}
function nullish(input) {
  return input === null || input === void 0;
}
function cleanRegex(source) {
  const start = source.startsWith("^") ? 1 : 0;
  const end = source.endsWith("$") ? source.length - 1 : source.length;
  return source.slice(start, end);
}
function assignProp(target2, prop, value) {
  Object.defineProperty(target2, prop, {
    value,
    writable: true,
    enumerable: true,
    configurable: true
  });
}
function rawShape(def) {
  const desc = Object.getOwnPropertyDescriptor(def, "shape");
  return desc?.get ? desc.get.raw : desc?.value;
}
var captureStackTrace = "captureStackTrace" in Error ? Error.captureStackTrace : (..._args) => {
};
function isObject(data) {
  return typeof data === "object" && data !== null && !Array.isArray(data);
}
function isPlainObject(o) {
  if (isObject(o) === false)
    return false;
  const ctor = o.constructor;
  if (ctor === void 0)
    return true;
  if (typeof ctor !== "function")
    return true;
  const prot = ctor.prototype;
  if (isObject(prot) === false)
    return false;
  if (Object.prototype.hasOwnProperty.call(prot, "isPrototypeOf") === false) {
    return false;
  }
  return true;
}
function shallowClone(o) {
  if (isPlainObject(o))
    return { ...o };
  if (Array.isArray(o))
    return [...o];
  if (o instanceof Map)
    return new Map(o);
  if (o instanceof Set)
    return new Set(o);
  return o;
}
var propertyKeyTypes = /* @__PURE__ */ new Set(["string", "number", "symbol"]);
function escapeRegex(str) {
  return str.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
function clone(inst, def, params) {
  const cl = new inst._zod.constr(def ?? inst._zod.def);
  if (!def || params?.parent)
    cl._zod.parent = inst;
  return cl;
}
function normalizeParams(_params) {
  const params = _params;
  if (!params)
    return {};
  if (typeof params === "string")
    return { error: () => params };
  if (params?.message !== void 0) {
    if (params?.error !== void 0)
      throw new Error("Cannot specify both `message` and `error` params");
    params.error = params.message;
  }
  delete params.message;
  if (typeof params.error === "string")
    return { ...params, error: () => params.error };
  return params;
}
function stringifyPrimitive(value) {
  if (typeof value === "bigint")
    return value.toString() + "n";
  if (typeof value === "string")
    return `"${value}"`;
  return `${value}`;
}
function optionalKeys(shape) {
  return Object.keys(shape).filter((k) => {
    return shape[k]._zod.optin !== void 0 && shape[k]._zod.optout === "optional";
  });
}
var NUMBER_FORMAT_RANGES = /* @__PURE__ */ (() => ({
  safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  float32: [-34028234663852886e22, 34028234663852886e22],
  float64: [-Number.MAX_VALUE, Number.MAX_VALUE]
}))();
function aborted(x, startIndex = 0) {
  if (x.aborted === true)
    return true;
  for (let i = startIndex; i < x.issues.length; i++) {
    if (x.issues[i]?.continue !== true) {
      return true;
    }
  }
  return false;
}
function explicitlyAborted(x, startIndex = 0) {
  if (x.aborted === true)
    return true;
  for (let i = startIndex; i < x.issues.length; i++) {
    if (x.issues[i]?.continue === false) {
      return true;
    }
  }
  return false;
}
function prefixIssues(path, issues) {
  return issues.map((iss) => {
    var _a2;
    (_a2 = iss).path ?? (_a2.path = []);
    iss.path.unshift(path);
    return iss;
  });
}
function unwrapMessage(message) {
  return typeof message === "string" ? message : message?.message;
}
function sizeCaps(defChecks) {
  const caps = [];
  for (const ch of defChecks ?? []) {
    const d = ch._zod.def;
    if (!/_(length|size)$|_equals$/.test(d.check))
      break;
    const max = d.maximum ?? d.length ?? d.size;
    if (max >= 0)
      caps.push([max, ch]);
  }
  return caps;
}
function attachSchema(issues, start, inst) {
  var _a2;
  for (let i = start; i < issues.length; i++) {
    (_a2 = issues[i]).schema ?? (_a2.schema = inst);
  }
}
function finalizeIssue(iss, ctx, config2) {
  var _a2;
  const traits = iss.inst?._zod?.traits;
  if (traits?.has("$ZodType")) {
    if (traits.has("$ZodCheck"))
      (_a2 = iss).schema ?? (_a2.schema = iss.inst);
    else
      iss.schema = iss.inst;
  }
  const schemaError = iss.schema !== iss.inst ? iss.schema?._zod.def?.error : void 0;
  const message = iss.message ? iss.message : unwrapMessage(iss.inst?._zod.def?.error?.(iss)) ?? unwrapMessage(schemaError?.(iss)) ?? unwrapMessage(ctx?.error?.(iss)) ?? unwrapMessage(config2.customError?.(iss)) ?? unwrapMessage(config2.localeError?.(iss)) ?? "Invalid input";
  const full = {};
  for (const k of Object.keys(iss)) {
    if (k === "inst" || k === "schema" || k === "continue" || k === "input" || k === "__proto__")
      continue;
    full[k] = iss[k];
  }
  full.path ?? (full.path = []);
  full.message = message;
  if (ctx?.reportInput) {
    full.input = iss.input;
  }
  return full;
}
var highSurrogate = /[\uD800-\uDBFF]/;
function codePointLength(str) {
  const units = str.length;
  if (!highSurrogate.test(str))
    return units;
  let count3 = units;
  for (let i = 0; i < units - 1; i++) {
    if ((str.charCodeAt(i) & 64512) === 55296 && (str.charCodeAt(i + 1) & 64512) === 56320) {
      count3--;
      i++;
    }
  }
  return count3;
}
function getLengthableOrigin(input) {
  if (Array.isArray(input))
    return "array";
  if (typeof input === "string")
    return "string";
  return "unknown";
}
function parsedType(data) {
  const t = typeof data;
  switch (t) {
    case "number": {
      return Number.isNaN(data) ? "nan" : "number";
    }
    case "object": {
      if (data === null) {
        return "null";
      }
      if (Array.isArray(data)) {
        return "array";
      }
      const obj = data;
      if (obj && Object.getPrototypeOf(obj) !== Object.prototype && "constructor" in obj && obj.constructor) {
        return obj.constructor.name;
      }
    }
  }
  return t;
}
function issue(...args) {
  const [iss, input, inst] = args;
  if (typeof iss === "string") {
    return {
      message: iss,
      code: "custom",
      input,
      inst
    };
  }
  return { ...iss };
}
function members(proto, table) {
  for (const key in table) {
    const desc = Object.getOwnPropertyDescriptor(table, key);
    if (desc.get)
      Object.defineProperty(proto, key, { ...desc, enumerable: false });
    else
      defineBound(proto, key, desc.value);
  }
}
function own(inst, key, value, enumerable = true) {
  Object.defineProperty(inst, key, { configurable: true, writable: true, enumerable, value });
  return value;
}
function hide(inst, key, value) {
  return own(inst, key, value, false);
}
function defineBound(proto, key, fn) {
  Object.defineProperty(proto, key, {
    configurable: true,
    get() {
      return this == null ? fn : own(this, key, fn.bind(this));
    },
    set(value) {
      own(this, key, value);
    }
  });
}
function claim(inst, sentinel) {
  const proto = Object.getPrototypeOf(inst);
  return sentinel in proto ? void 0 : proto;
}
var installing;
var broke = false;
var breaker = {
  configurable: true,
  get() {
    broke = true;
    return void 0;
  }
};
function defineLazyInternal(inst, key, compute) {
  const proto = Object.getPrototypeOf(inst._zod);
  if (key in proto && installing !== inst._zod) {
    installing = void 0;
    return;
  }
  installing = inst._zod;
  Object.defineProperty(proto, key, {
    configurable: true,
    get() {
      Object.defineProperty(this, key, breaker);
      const outer = broke;
      broke = false;
      try {
        const value = compute(this);
        if (broke)
          delete this[key];
        else
          Object.defineProperty(this, key, { configurable: true, writable: true, value });
        broke = broke || outer;
        return value;
      } catch (err) {
        delete this[key];
        broke = broke || outer;
        throw err;
      }
    },
    set(value) {
      Object.defineProperty(this, key, { configurable: true, writable: true, value });
    }
  });
}
function installLazyProp(inst, key, make, enumerable) {
  const proto = claim(inst, key);
  if (!proto)
    return;
  Object.defineProperty(proto, key, {
    configurable: true,
    get() {
      const desc = { configurable: true, writable: true, enumerable, value: void 0 };
      Object.defineProperty(this, key, desc);
      desc.value = make(this);
      Object.defineProperty(this, key, desc);
      return desc.value;
    },
    set(value) {
      Object.defineProperty(this, key, { configurable: true, writable: true, enumerable, value });
    }
  });
}

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/core.js
var _a;
var _zodDesc = { value: void 0, enumerable: false };
var _E = "captureStackTrace" in Error ? Error : null;
function newError(Definition) {
  const E = _E;
  if (E) {
    const saved = E.stackTraceLimit;
    if (typeof saved === "number") {
      try {
        E.stackTraceLimit = 0;
      } catch {
        _E = null;
        return new Definition();
      }
      try {
        return new Definition();
      } finally {
        E.stackTraceLimit = saved;
      }
    }
  }
  return new Definition();
}
// @__NO_SIDE_EFFECTS__
function $constructor(name2, initializer2, proto, params) {
  const zodProto = {};
  function Internals(def) {
    this.def = def;
    this.constr = _;
    this.traits = /* @__PURE__ */ new Set();
  }
  Internals.prototype = zodProto;
  const protoMembers = proto;
  const initialized = protoMembers && /* @__PURE__ */ new WeakSet();
  function init(inst, def) {
    if (!inst._zod) {
      _zodDesc.value = new Internals(def);
      try {
        Object.defineProperty(inst, "_zod", _zodDesc);
      } finally {
        _zodDesc.value = void 0;
      }
    } else if (inst._zod.traits.has(name2)) {
      return;
    }
    inst._zod.traits.add(name2);
    initializer2(inst, def);
    if (initialized) {
      const own2 = Object.getPrototypeOf(inst);
      const ctorProto = inst._zod.constr.prototype;
      let up = own2;
      while (up && up !== ctorProto)
        up = Object.getPrototypeOf(up);
      const target2 = up ?? own2;
      if (!initialized.has(target2)) {
        initialized.add(target2);
        members(target2, protoMembers);
      }
    }
    const proto2 = _.prototype;
    for (const k in proto2) {
      if (!Object.prototype.hasOwnProperty.call(proto2, k))
        continue;
      if (!(k in inst)) {
        inst[k] = proto2[k].bind(inst);
      }
    }
  }
  const Parent = params?.Parent ?? Object;
  class Definition extends Parent {
  }
  Object.defineProperty(Definition, "name", { value: name2 });
  function _(def) {
    const inst = params?.Parent ? newError(Definition) : this;
    init(inst, def);
    const deferred = inst._zod.deferred;
    if (deferred) {
      for (const fn of deferred) {
        fn();
      }
      inst._zod.deferred = void 0;
    }
    const pp = globalThis.__zod_globalConfig?.postProcessor;
    if (pp)
      pp(inst);
    return inst;
  }
  Object.defineProperty(_, "init", { value: init });
  Object.defineProperty(_, Symbol.hasInstance, {
    value: (inst) => {
      if (params?.Parent && inst instanceof params.Parent)
        return true;
      return inst?._zod?.traits?.has(name2);
    }
  });
  Object.defineProperty(_, "name", { value: name2 });
  return _;
}
var $ZodAsyncError = class extends Error {
  constructor() {
    super(`Encountered Promise during synchronous parse. Use .parseAsync() instead.`);
  }
};
(_a = globalThis).__zod_globalConfig ?? (_a.__zod_globalConfig = {});
var globalConfig = globalThis.__zod_globalConfig;
function config(newConfig) {
  if (newConfig)
    Object.assign(globalConfig, newConfig);
  return globalConfig;
}

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/errors.js
function _getMessage() {
  const internals = this._zod;
  internals.message ?? (internals.message = JSON.stringify(internals.def, jsonStringifyReplacer, 2));
  return internals.message;
}
function _setMessage(value) {
  this._zod.message = value;
}
var _messageDesc = {
  get: _getMessage,
  set: _setMessage,
  enumerable: true,
  configurable: true
};
var _issuesDesc = { value: void 0, enumerable: false };
var _installedToString = /* @__PURE__ */ new WeakSet([Object.prototype, Error.prototype]);
var initializer = (inst, def) => {
  inst.name = "$ZodError";
  _issuesDesc.value = def;
  Object.defineProperty(inst, "issues", _issuesDesc);
  _issuesDesc.value = void 0;
  Object.defineProperty(inst, "message", _messageDesc);
  const proto = Object.getPrototypeOf(inst);
  if (!_installedToString.has(proto)) {
    _installedToString.add(proto);
    Object.defineProperty(proto, "toString", {
      configurable: true,
      enumerable: false,
      get() {
        const value = () => this.message;
        Object.defineProperty(this, "toString", { value, configurable: true, writable: true });
        return value;
      },
      set(value) {
        Object.defineProperty(this, "toString", { value, configurable: true, writable: true });
      }
    });
  }
};
var $ZodError = $constructor("$ZodError", initializer);
var $ZodRealError = $constructor("$ZodError", initializer, void 0, {
  Parent: Error
});

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/parse.js
var _parse = (_Err) => {
  const fn = (schema, value, _ctx, _params) => {
    const ctx = _ctx ? { ..._ctx, async: false } : { async: false };
    const result = schema._zod.run({ value, issues: [] }, ctx);
    if (result instanceof Promise) {
      throw new $ZodAsyncError();
    }
    if (result.issues.length) {
      const e = new (_params?.Err ?? _Err)(result.issues.map((iss) => finalizeIssue(iss, ctx, config())));
      captureStackTrace(e, _params?.callee ?? fn);
      throw e;
    }
    return result.value;
  };
  return fn;
};
var parse = /* @__PURE__ */ _parse($ZodRealError);
var _parseAsync = (_Err) => {
  const fn = async (schema, value, _ctx, params) => {
    const ctx = _ctx ? { ..._ctx, async: true } : { async: true };
    let result = schema._zod.run({ value, issues: [] }, ctx);
    if (result instanceof Promise)
      result = await result;
    if (result.issues.length) {
      const e = new (params?.Err ?? _Err)(result.issues.map((iss) => finalizeIssue(iss, ctx, config())));
      captureStackTrace(e, params?.callee ?? fn);
      throw e;
    }
    return result.value;
  };
  return fn;
};
var parseAsync = /* @__PURE__ */ _parseAsync($ZodRealError);
var _safeParse = (_Err) => (schema, value, _ctx) => {
  const ctx = _ctx ? { ..._ctx, async: false } : { async: false };
  const result = schema._zod.run({ value, issues: [] }, ctx);
  if (result instanceof Promise) {
    throw new $ZodAsyncError();
  }
  return result.issues.length ? failure(_Err, result.issues, ctx) : { success: true, data: result.value };
};
var safeParse = /* @__PURE__ */ _safeParse($ZodRealError);
function failure(Err, issues, ctx) {
  let error2;
  return {
    success: false,
    get error() {
      if (!error2) {
        error2 = new Err(issues.map((iss) => finalizeIssue(iss, ctx, config())));
        issues = void 0;
        ctx = void 0;
      }
      return error2;
    },
    set error(e) {
      error2 = e;
      issues = void 0;
      ctx = void 0;
    }
  };
}
var _safeParseAsync = (_Err) => async (schema, value, _ctx) => {
  const ctx = _ctx ? { ..._ctx, async: true } : { async: true };
  let result = schema._zod.run({ value, issues: [] }, ctx);
  if (result instanceof Promise)
    result = await result;
  return result.issues.length ? failure(_Err, result.issues, ctx) : { success: true, data: result.value };
};
var safeParseAsync = /* @__PURE__ */ _safeParseAsync($ZodRealError);

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/regexes.js
var httpProtocol = /^https?$/;
var anyString = /^[\s\S]{0,}$/;
var number = /^-?\d+(?:\.\d+)?$/;
var boolean = /^(?:true|false)$/i;

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/checks.js
var $ZodCheck = /* @__PURE__ */ $constructor("$ZodCheck", (inst, def) => {
  var _a2;
  inst._zod ?? (inst._zod = {});
  inst._zod.def = def;
  (_a2 = inst._zod).onattach ?? (_a2.onattach = []);
});
var _whenHasLength = (payload) => {
  const val = payload.value;
  return !nullish(val) && val.length !== void 0;
};
var numericOriginMap = {
  number: "number",
  bigint: "bigint",
  object: "date"
};
var $ZodCheckLessThan = /* @__PURE__ */ $constructor("$ZodCheckLessThan", (inst, def) => {
  $ZodCheck.init(inst, def);
  const origin = numericOriginMap[typeof def.value];
  inst._zod.check = (payload) => {
    if (def.inclusive ? payload.value <= def.value : payload.value < def.value) {
      return;
    }
    payload.issues.push({
      origin: numericOriginMap[typeof payload.value] ?? origin,
      code: "too_big",
      maximum: typeof def.value === "object" ? def.value.getTime() : def.value,
      input: payload.value,
      inclusive: def.inclusive,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckGreaterThan = /* @__PURE__ */ $constructor("$ZodCheckGreaterThan", (inst, def) => {
  $ZodCheck.init(inst, def);
  const origin = numericOriginMap[typeof def.value];
  inst._zod.check = (payload) => {
    if (def.inclusive ? payload.value >= def.value : payload.value > def.value) {
      return;
    }
    payload.issues.push({
      origin: numericOriginMap[typeof payload.value] ?? origin,
      code: "too_small",
      minimum: typeof def.value === "object" ? def.value.getTime() : def.value,
      input: payload.value,
      inclusive: def.inclusive,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckNumberFormat = /* @__PURE__ */ $constructor("$ZodCheckNumberFormat", (inst, def) => {
  $ZodCheck.init(inst, def);
  def.format = def.format || "float64";
  const isInt = def.format?.includes("int");
  const origin = isInt ? "int" : "number";
  const [minimum, maximum] = NUMBER_FORMAT_RANGES[def.format];
  inst._zod.check = (payload) => {
    const input = payload.value;
    if (isInt) {
      if (!Number.isInteger(input)) {
        payload.issues.push({
          expected: origin,
          format: def.format,
          code: "invalid_type",
          continue: false,
          input,
          inst
        });
        return;
      }
      if (!Number.isSafeInteger(input)) {
        if (input > 0) {
          payload.issues.push({
            input,
            code: "too_big",
            maximum: Number.MAX_SAFE_INTEGER,
            note: "Integers must be within the safe integer range.",
            inst,
            origin,
            inclusive: true,
            continue: !def.abort
          });
        } else {
          payload.issues.push({
            input,
            code: "too_small",
            minimum: Number.MIN_SAFE_INTEGER,
            note: "Integers must be within the safe integer range.",
            inst,
            origin,
            inclusive: true,
            continue: !def.abort
          });
        }
        return;
      }
    }
    if (input < minimum) {
      payload.issues.push({
        origin: "number",
        input,
        code: "too_small",
        minimum,
        inclusive: true,
        inst,
        continue: !def.abort
      });
    }
    if (input > maximum) {
      payload.issues.push({
        origin: "number",
        input,
        code: "too_big",
        maximum,
        inclusive: true,
        inst,
        continue: !def.abort
      });
    }
  };
});
var $ZodCheckMinLength = /* @__PURE__ */ $constructor("$ZodCheckMinLength", (inst, def) => {
  var _a2;
  $ZodCheck.init(inst, def);
  (_a2 = inst._zod.def).when ?? (_a2.when = _whenHasLength);
  inst._zod.check = (payload) => {
    const input = payload.value;
    const units = input.length;
    const length = typeof input === "string" && units >= def.minimum && units < def.minimum * 2 ? codePointLength(input) : units;
    if (length >= def.minimum)
      return;
    const origin = getLengthableOrigin(input);
    payload.issues.push({
      origin,
      code: "too_small",
      minimum: def.minimum,
      inclusive: true,
      input,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckStringFormat = /* @__PURE__ */ $constructor("$ZodCheckStringFormat", (inst, def) => {
  var _a2, _b;
  $ZodCheck.init(inst, def);
  if (def.pattern)
    (_a2 = inst._zod).check ?? (_a2.check = (payload) => {
      def.pattern.lastIndex = 0;
      if (def.pattern.test(payload.value))
        return;
      payload.issues.push({
        origin: "string",
        code: "invalid_format",
        format: def.format,
        input: payload.value,
        ...def.pattern ? { pattern: def.pattern.toString() } : {},
        inst,
        continue: !def.abort
      });
    });
  else
    (_b = inst._zod).check ?? (_b.check = () => {
    });
});

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/versions.js
var version = {
  major: 4,
  minor: 6,
  patch: 7
};

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/schemas.js
var $ZodType = /* @__PURE__ */ $constructor("$ZodType", (inst, def) => {
  var _a2;
  inst ?? (inst = {});
  inst._zod.def = def;
  inst._zod.bag = inst._zod.bag || {};
  inst._zod.version = version;
  const defChecks = inst._zod.def.checks;
  const checks = inst._zod.traits.has("$ZodCheck") ? [inst, ...defChecks ?? []] : defChecks?.length ? [...defChecks] : [];
  for (const ch of checks) {
    for (const fn of ch._zod.onattach) {
      fn(inst);
    }
  }
  if (checks.length === 0) {
    (_a2 = inst._zod).deferred ?? (_a2.deferred = []);
    inst._zod.deferred?.push(() => {
      inst._zod.run = inst._zod.parse;
    });
  } else {
    const runChecks = (payload, checks2, ctx) => {
      if (payload.memo)
        return payload;
      let isAborted = aborted(payload);
      let asyncResult;
      for (const ch of checks2) {
        if (ch._zod.def.when) {
          if (explicitlyAborted(payload))
            continue;
          const shouldRun = ch._zod.def.when(payload);
          if (!shouldRun)
            continue;
        } else if (isAborted) {
          continue;
        }
        const currLen = payload.issues.length;
        const _ = ch._zod.check(payload);
        if (_ instanceof Promise && ctx?.async === false) {
          throw new $ZodAsyncError();
        }
        if (asyncResult || _ instanceof Promise) {
          asyncResult = (asyncResult ?? Promise.resolve()).then(async () => {
            await _;
            const nextLen = payload.issues.length;
            if (nextLen === currLen)
              return;
            attachSchema(payload.issues, currLen, inst);
            if (!isAborted)
              isAborted = aborted(payload, currLen);
          });
        } else {
          const nextLen = payload.issues.length;
          if (nextLen === currLen)
            continue;
          attachSchema(payload.issues, currLen, inst);
          if (!isAborted)
            isAborted = aborted(payload, currLen);
        }
      }
      if (asyncResult) {
        return asyncResult.then(() => {
          return payload;
        });
      }
      return payload;
    };
    const handleCanaryResult = (canary, payload, ctx) => {
      if (aborted(canary)) {
        canary.aborted = true;
        return canary;
      }
      const checkResult = runChecks(payload, checks, ctx);
      if (checkResult instanceof Promise) {
        if (ctx.async === false)
          throw new $ZodAsyncError();
        return checkResult.then((checkResult2) => inst._zod.parse(checkResult2, ctx));
      }
      return inst._zod.parse(checkResult, ctx);
    };
    inst._zod.run = (payload, ctx) => {
      if (ctx.skipChecks) {
        return inst._zod.parse(payload, ctx);
      }
      if (ctx.direction === "backward") {
        const canary = inst._zod.parse({ value: payload.value, issues: [] }, { ...ctx, skipChecks: true });
        if (canary instanceof Promise) {
          return canary.then((canary2) => {
            return handleCanaryResult(canary2, payload, ctx);
          });
        }
        return handleCanaryResult(canary, payload, ctx);
      }
      const result = inst._zod.parse(payload, ctx);
      if (result instanceof Promise) {
        if (ctx.async === false)
          throw new $ZodAsyncError();
        return result.then((result2) => runChecks(result2, checks, ctx));
      }
      return runChecks(result, checks, ctx);
    };
  }
}, {
  // Wrappers extend this by installing a richer factory over it; reading it eagerly would defeat the laziness.
  get "~standard"() {
    return hide(this, "~standard", standardProps(this));
  },
  set "~standard"(value) {
    own(this, "~standard", value);
  }
});
var toStandardResult = (r, ctx) => r.issues.length ? { issues: r.issues.map((iss) => finalizeIssue(iss, ctx, config())) } : { value: r.value };
async function validateAsync(inst, value) {
  const ctx = { async: true };
  return toStandardResult(await inst._zod.run({ value, issues: [] }, ctx), ctx);
}
function standardProps(inst) {
  return {
    validate: (value) => {
      const ctx = { async: false };
      try {
        const r = inst._zod.run({ value, issues: [] }, ctx);
        if (!(r instanceof Promise))
          return toStandardResult(r, ctx);
      } catch (_) {
      }
      return validateAsync(inst, value);
    },
    vendor: "zod",
    version: 1
  };
}
var $ZodString = /* @__PURE__ */ $constructor("$ZodString", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.pattern = def.pattern ?? anyString;
  inst._zod.parse = (payload, _) => {
    if (def.coerce)
      try {
        payload.value = String(payload.value);
      } catch (_2) {
      }
    if (typeof payload.value === "string")
      return payload;
    payload.issues.push({
      expected: "string",
      code: "invalid_type",
      input: payload.value,
      inst
    });
    return payload;
  };
});
var $ZodStringFormat = /* @__PURE__ */ $constructor("$ZodStringFormat", (inst, def) => {
  $ZodCheckStringFormat.init(inst, def);
  $ZodString.init(inst, def);
});
var URL_BAD_FORMAT = 1;
var URL_UNPARSEABLE = 2;
function canParseURL(input) {
  try {
    if (typeof URL !== "undefined" && typeof URL.canParse === "function")
      return URL.canParse(input);
    new URL(input);
    return true;
  } catch {
    return false;
  }
}
function validateURL(trimmed, def) {
  if (!("normalize" in def) && !("hostname" in def) && !("protocol" in def)) {
    return canParseURL(trimmed) || URL_UNPARSEABLE;
  }
  return parseURLObject(trimmed, def);
}
function parseURLObject(trimmed, def) {
  if (!def.normalize && def.protocol?.source === httpProtocol.source && !/^https?:\/\//i.test(trimmed)) {
    return URL_BAD_FORMAT;
  }
  try {
    if (typeof URL !== "undefined") {
      const URLStatic = URL;
      if (typeof URLStatic.parse === "function")
        return URLStatic.parse(trimmed) ?? URL_UNPARSEABLE;
    }
    return new URL(trimmed);
  } catch {
    return URL_UNPARSEABLE;
  }
}
var asciiTabOrNewline = /[\t\n\r]/g;
function stripTabAndNewline(value) {
  return value.replace(asciiTabOrNewline, "");
}
function urlHostnameOk(url2, hostname2) {
  hostname2.lastIndex = 0;
  return hostname2.test(url2.hostname);
}
function urlProtocolOk(url2, protocol) {
  protocol.lastIndex = 0;
  return protocol.test(url2.protocol.endsWith(":") ? url2.protocol.slice(0, -1) : url2.protocol);
}
var $ZodURL = /* @__PURE__ */ $constructor("$ZodURL", (inst, def) => {
  $ZodStringFormat.init(inst, def);
  inst._zod.check = (payload) => {
    try {
      const trimmed = payload.value.trim();
      const url2 = validateURL(trimmed, def);
      if (url2 === URL_BAD_FORMAT) {
        payload.issues.push({
          code: "invalid_format",
          format: "url",
          note: "Invalid URL format",
          input: payload.value,
          inst,
          continue: !def.abort
        });
        return;
      }
      if (url2 === URL_UNPARSEABLE) {
        payload.issues.push({
          code: "invalid_format",
          format: "url",
          input: payload.value,
          inst,
          continue: !def.abort
        });
        return;
      }
      if (url2 === true) {
        payload.value = stripTabAndNewline(trimmed);
        return;
      }
      if (def.hostname && !urlHostnameOk(url2, def.hostname)) {
        payload.issues.push({
          code: "invalid_format",
          format: "url",
          note: "Invalid hostname",
          pattern: def.hostname.source,
          input: payload.value,
          inst,
          continue: !def.abort
        });
      }
      if (def.protocol && !urlProtocolOk(url2, def.protocol)) {
        payload.issues.push({
          code: "invalid_format",
          format: "url",
          note: "Invalid protocol",
          pattern: def.protocol.source,
          input: payload.value,
          inst,
          continue: !def.abort
        });
      }
      payload.value = def.normalize ? url2.href : stripTabAndNewline(trimmed);
      return;
    } catch (_) {
      payload.issues.push({
        code: "invalid_format",
        format: "url",
        input: payload.value,
        inst,
        continue: !def.abort
      });
    }
  };
});
var $ZodNumber = /* @__PURE__ */ $constructor("$ZodNumber", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.pattern = number;
  inst._zod.parse = (payload, _ctx) => {
    if (def.coerce)
      try {
        payload.value = Number(payload.value);
      } catch (_) {
      }
    const input = payload.value;
    if (typeof input === "number" && !Number.isNaN(input) && Number.isFinite(input)) {
      return payload;
    }
    const received = typeof input === "number" ? Number.isNaN(input) ? "NaN" : !Number.isFinite(input) ? String(input) : void 0 : void 0;
    payload.issues.push({
      expected: "number",
      code: "invalid_type",
      input,
      inst,
      ...received ? { received } : {}
    });
    return payload;
  };
});
var $ZodNumberFormat = /* @__PURE__ */ $constructor("$ZodNumberFormat", (inst, def) => {
  $ZodCheckNumberFormat.init(inst, def);
  $ZodNumber.init(inst, def);
});
var $ZodBoolean = /* @__PURE__ */ $constructor("$ZodBoolean", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.pattern = boolean;
  inst._zod.parse = (payload, _ctx) => {
    if (def.coerce)
      try {
        payload.value = Boolean(payload.value);
      } catch (_) {
      }
    const input = payload.value;
    if (typeof input === "boolean")
      return payload;
    payload.issues.push({
      expected: "boolean",
      code: "invalid_type",
      input,
      inst
    });
    return payload;
  };
});
var $ZodUnknown = /* @__PURE__ */ $constructor("$ZodUnknown", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.parse = (payload) => payload;
});
var $ZodNever = /* @__PURE__ */ $constructor("$ZodNever", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.parse = (payload, _ctx) => {
    payload.issues.push({
      expected: "never",
      code: "invalid_type",
      input: payload.value,
      inst
    });
    return payload;
  };
});
function capSize(inst, size) {
  const caps = sizeCaps(inst._zod.def.checks);
  if (!caps.length)
    return;
  const cap = Math.min(...caps.map((c) => c[0]));
  const parse2 = inst._zod.parse;
  inst._zod.parse = (payload, ctx) => {
    const n = size(payload.value);
    if (n > cap && !ctx?.skipChecks && ctx?.direction !== "backward") {
      for (const [max, ch] of sizeCaps(inst._zod.def.checks)) {
        if (n > max && ch._zod.def.when(payload)) {
          const start = payload.issues.length;
          ch._zod.check(payload);
          payload.issues[start].continue = false;
          attachSchema(payload.issues, start, inst);
          return payload;
        }
      }
    }
    return parse2(payload, ctx);
  };
}
var arraySize = (input) => Array.isArray(input) ? input.length : -1;
function handleArrayResult(result, final, index) {
  if (result.issues.length) {
    final.issues.push(...prefixIssues(index, result.issues));
  }
  final.value[index] = result.value;
}
var $ZodArray = /* @__PURE__ */ $constructor("$ZodArray", (inst, def) => {
  $ZodType.init(inst, def);
  const memo = globalConfig.memoizer;
  memo?.attach(inst);
  inst._zod.parse = (payload, ctx) => {
    const input = payload.value;
    if (!Array.isArray(input)) {
      payload.issues.push({
        expected: "array",
        code: "invalid_type",
        input,
        inst
      });
      return payload;
    }
    payload.value = memo ? memo.alloc(inst, payload, Array(input.length), ctx) : Array(input.length);
    const proms = [];
    const abortEarly = ctx?.abortEarly;
    for (let i = 0; i < input.length; i++) {
      const item = input[i];
      const result = def.element._zod.run({
        value: item,
        issues: []
      }, ctx);
      if (result instanceof Promise) {
        proms.push(result.then((result2) => handleArrayResult(result2, payload, i)));
      } else {
        handleArrayResult(result, payload, i);
        if (abortEarly && result.issues.length !== 0 && aborted(result))
          break;
      }
    }
    if (proms.length) {
      return Promise.all(proms).then(() => payload);
    }
    return payload;
  };
  capSize(inst, arraySize);
});
function handlePropertyResult(result, final, key, input, optin, optout) {
  const isPresent = key in input;
  const isOptionalOut = optout === "optional";
  if (!isPresent && isOptionalOut && optin === "optional") {
    return;
  }
  if (result.issues.length) {
    if (optin !== void 0 && isOptionalOut && !isPresent) {
      return;
    }
    final.issues.push(...prefixIssues(key, result.issues));
  }
  if (!isPresent && optin === void 0) {
    if (!result.issues.length) {
      final.issues.push({
        code: "invalid_type",
        expected: "nonoptional",
        input: void 0,
        path: [key]
      });
    }
    return;
  }
  if (result.value === void 0) {
    if (isPresent || optin === "defaulted" && !isOptionalOut) {
      final.value[key] = void 0;
    }
  } else {
    final.value[key] = result.value;
  }
}
var NO_SYMBOL_KEYS = [];
function normalizeDef(def) {
  const keys = Object.keys(def.shape);
  const ownSymbols = Object.getOwnPropertySymbols(def.shape);
  const symbolKeys = ownSymbols.length ? ownSymbols : NO_SYMBOL_KEYS;
  const allKeys = symbolKeys.length ? [...keys, ...symbolKeys] : keys;
  for (const k of allKeys) {
    if (!def.shape?.[k]?._zod?.traits?.has("$ZodType")) {
      throw new Error(`Invalid element at key "${String(k)}": expected a Zod schema`);
    }
  }
  const okeys = optionalKeys(def.shape);
  return {
    ...def,
    allKeys,
    symbolKeys,
    // string-only: handleCatchall matches it against `for...in`, which never yields a symbol
    keySet: new Set(keys),
    numKeys: keys.length,
    optionalKeys: new Set(okeys)
  };
}
function handleCatchall(proms, input, payload, ctx, def, inst, abortEarly) {
  const unrecognized = [];
  const keySet = def.keySet;
  const _catchall = def.catchall._zod;
  const t = _catchall.def.type;
  const optin = _catchall.optin;
  const optout = _catchall.optout;
  let seen = 0;
  for (const key in input) {
    if (abortEarly && payload.issues.length !== seen) {
      if (aborted(payload, seen))
        break;
      seen = payload.issues.length;
    }
    if (keySet.has(key))
      continue;
    if (key === "__proto__") {
      if (t === "never")
        unrecognized.push(key);
      continue;
    }
    if (t === "never") {
      unrecognized.push(key);
      continue;
    }
    const r = _catchall.run({ value: input[key], issues: [] }, ctx);
    if (r instanceof Promise) {
      proms.push(r.then((r2) => handlePropertyResult(r2, payload, key, input, optin, optout)));
    } else {
      handlePropertyResult(r, payload, key, input, optin, optout);
    }
  }
  if (unrecognized.length) {
    payload.issues.push({
      code: "unrecognized_keys",
      keys: unrecognized,
      input,
      inst,
      // Describes the shape of the input, not the validity of the parsed value, so it never aborts. The parse still fails; the schema's own checks just get to run first, and an enclosing intersection can reconcile the key against a sibling operand.
      continue: true
    });
  }
  if (!proms.length)
    return payload;
  return Promise.all(proms).then(() => {
    return payload;
  });
}
var $ZodObject = /* @__PURE__ */ $constructor("$ZodObject", (inst, def) => {
  $ZodType.init(inst, def);
  const desc = Object.getOwnPropertyDescriptor(def, "shape");
  const sh = desc?.get ? desc.get.raw : def.shape ?? {};
  if (sh) {
    const get = () => {
      const newSh = { ...sh };
      Object.defineProperty(def, "shape", { value: newSh });
      get.raw = newSh;
      return newSh;
    };
    get.raw = sh;
    Object.defineProperty(def, "shape", { get });
  }
  const _normalized = cached(() => normalizeDef(def));
  defineLazyInternal(inst, "propValues", (zod) => {
    const shape = zod.def.shape;
    const propValues = {};
    for (const key in shape) {
      const field = shape[key]._zod;
      if (field.values) {
        if (!Object.prototype.hasOwnProperty.call(propValues, key)) {
          assignProp(propValues, key, /* @__PURE__ */ new Set());
        }
        for (const v of field.values)
          propValues[key].add(v);
        if (field.optin !== void 0)
          propValues[key].add(void 0);
      }
    }
    return propValues;
  });
  const isObject2 = isObject;
  const catchall = def.catchall;
  let value;
  const memo = globalConfig.memoizer;
  memo?.attach(inst);
  inst._zod.parse = (payload, ctx) => {
    value ?? (value = _normalized.value);
    const input = payload.value;
    if (!isObject2(input)) {
      payload.issues.push({
        expected: "object",
        code: "invalid_type",
        input,
        inst
      });
      return payload;
    }
    payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
    const proms = [];
    const shape = value.shape;
    const abortEarly = ctx?.abortEarly;
    let seen = payload.issues.length;
    for (const key of value.allKeys) {
      if (abortEarly && payload.issues.length !== seen) {
        if (aborted(payload, seen))
          break;
        seen = payload.issues.length;
      }
      if (key === "__proto__")
        continue;
      const el = shape[key];
      const optin = el._zod.optin;
      const optout = el._zod.optout;
      const r = el._zod.run({ value: input[key], issues: [] }, ctx);
      if (r instanceof Promise) {
        proms.push(r.then((r2) => handlePropertyResult(r2, payload, key, input, optin, optout)));
      } else {
        handlePropertyResult(r, payload, key, input, optin, optout);
      }
    }
    if (!catchall) {
      return proms.length ? Promise.all(proms).then(() => payload) : payload;
    }
    return handleCatchall(proms, input, payload, ctx, _normalized.value, inst, abortEarly === true);
  };
});
function handleUnionResults(results, final, inst, ctx) {
  for (const result of results) {
    if (result.issues.length === 0) {
      final.value = result.value;
      return final;
    }
  }
  const nonaborted = results.filter((r) => !aborted(r));
  if (nonaborted.length === 1) {
    final.value = nonaborted[0].value;
    return nonaborted[0];
  }
  final.issues.push({
    code: "invalid_union",
    input: final.value,
    inst,
    errors: results.map((result) => result.issues.map((iss) => finalizeIssue(iss, ctx, config())))
  });
  return final;
}
var $ZodUnion = /* @__PURE__ */ $constructor("$ZodUnion", (inst, def) => {
  $ZodType.init(inst, def);
  defineLazyInternal(inst, "optin", (zod) => zod.def.options.some((o) => o._zod.optin === "defaulted") ? "defaulted" : zod.def.options.some((o) => o._zod.optin !== void 0) ? "optional" : void 0);
  defineLazyInternal(inst, "optout", (zod) => zod.def.options.some((o) => o._zod.optout === "optional") ? "optional" : void 0);
  defineLazyInternal(inst, "values", (zod) => {
    if (zod.def.options.every((o) => o._zod.values)) {
      return new Set(zod.def.options.flatMap((option) => Array.from(option._zod.values)));
    }
    return void 0;
  });
  defineLazyInternal(inst, "pattern", (zod) => {
    if (zod.def.options.every((o) => o._zod.pattern)) {
      const patterns = zod.def.options.map((o) => o._zod.pattern);
      return new RegExp(`^(${patterns.map((p) => cleanRegex(p.source)).join("|")})$`);
    }
    return void 0;
  });
  const first = def.options.length === 1 ? def.options[0]._zod.run : null;
  inst._zod.parse = (payload, ctx) => {
    if (first) {
      return first(payload, ctx);
    }
    let async = false;
    const results = [];
    for (const option of def.options) {
      const result = option._zod.run({
        value: payload.value,
        issues: []
      }, ctx);
      if (result instanceof Promise) {
        results.push(result);
        async = true;
      } else {
        if (result.issues.length === 0)
          return result;
        results.push(result);
      }
    }
    if (!async)
      return handleUnionResults(results, payload, inst, ctx);
    return Promise.all(results).then((results2) => {
      return handleUnionResults(results2, payload, inst, ctx);
    });
  };
});
function discriminatorMap(def) {
  const map = /* @__PURE__ */ new Map();
  for (const option of def.options) {
    const values = option._zod.propValues?.[def.discriminator];
    if (!values || values.size === 0)
      throw new Error(`Invalid discriminated union option at index "${def.options.indexOf(option)}"`);
    for (const value of values) {
      if (map.has(value)) {
        if (value !== void 0)
          throw new Error(`Duplicate discriminator value "${String(value)}"`);
        map.set(value, null);
      } else {
        map.set(value, option);
      }
    }
  }
  return map;
}
var $ZodDiscriminatedUnion = /* @__PURE__ */ $constructor("$ZodDiscriminatedUnion", (inst, def) => {
  def.inclusive = false;
  $ZodUnion.init(inst, def);
  const _super = inst._zod.parse;
  defineLazyInternal(inst, "propValues", (zod) => {
    const propValues = {};
    let undefinedCount = 0;
    for (const option of zod.def.options) {
      const pv = option._zod.propValues;
      if (!pv || Object.keys(pv).length === 0)
        throw new Error(`Invalid discriminated union option at index "${zod.def.options.indexOf(option)}"`);
      if (pv[zod.def.discriminator]?.has(void 0))
        undefinedCount++;
      for (const [k, v] of Object.entries(pv)) {
        if (!Object.prototype.hasOwnProperty.call(propValues, k)) {
          assignProp(propValues, k, /* @__PURE__ */ new Set());
        }
        for (const val of v) {
          propValues[k].add(val);
        }
      }
    }
    if (!zod.def.unionFallback && undefinedCount > 1)
      propValues[zod.def.discriminator]?.delete(void 0);
    return propValues;
  });
  def.options.forEach((option, i) => {
    const propShape = rawShape(option._zod.def);
    if (propShape && !Object.prototype.hasOwnProperty.call(propShape, def.discriminator)) {
      throw new Error(`Invalid discriminated union option at index "${i}"`);
    }
  });
  const disc = cached(() => discriminatorMap(def));
  inst._zod.parse = (payload, ctx) => {
    const input = payload.value;
    if (!isObject(input)) {
      payload.issues.push({
        code: "invalid_type",
        expected: "object",
        input,
        inst
      });
      return payload;
    }
    const value = input?.[def.discriminator];
    const opt = disc.value.get(value);
    if (opt && (value !== void 0 || ctx.direction !== "backward")) {
      return opt._zod.run(payload, ctx);
    }
    if (def.unionFallback || ctx.direction === "backward") {
      return _super(payload, ctx);
    }
    payload.issues.push({
      code: "invalid_union",
      errors: [],
      note: "No matching discriminator",
      discriminator: def.discriminator,
      options: Array.from(disc.value.keys()).filter((value2) => disc.value.get(value2) !== null),
      input,
      path: [def.discriminator],
      inst
    });
    return payload;
  };
});
var $ZodRecord = /* @__PURE__ */ $constructor("$ZodRecord", (inst, def) => {
  $ZodType.init(inst, def);
  const memo = globalConfig.memoizer;
  memo?.attach(inst);
  inst._zod.parse = (payload, ctx) => {
    const input = payload.value;
    if (!isPlainObject(input)) {
      payload.issues.push({
        expected: "record",
        code: "invalid_type",
        input,
        inst
      });
      return payload;
    }
    const proms = [];
    const values = def.keyType._zod.values;
    if (values && !def.partial) {
      payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
      const recordKeys = /* @__PURE__ */ new Set();
      for (const key of values) {
        if (typeof key === "string" || typeof key === "number" || typeof key === "symbol") {
          recordKeys.add(typeof key === "number" ? key.toString() : key);
          if (key === "__proto__")
            continue;
          const keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
          if (keyResult instanceof Promise) {
            throw new Error("Async schemas not supported in object keys currently");
          }
          if (keyResult.issues.length) {
            payload.issues.push({
              code: "invalid_key",
              origin: "record",
              issues: keyResult.issues.map((iss) => finalizeIssue(iss, ctx, config())),
              input: key,
              path: [key],
              inst
            });
            continue;
          }
          const outKey = keyResult.value;
          if (outKey === "__proto__")
            continue;
          const result = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
          if (result instanceof Promise) {
            proms.push(result.then((result2) => {
              if (result2.issues.length) {
                payload.issues.push(...prefixIssues(key, result2.issues));
              }
              payload.value[outKey] = result2.value;
            }));
          } else {
            if (result.issues.length) {
              payload.issues.push(...prefixIssues(key, result.issues));
            }
            payload.value[outKey] = result.value;
          }
        }
      }
      let unrecognized;
      for (const key in input) {
        if (!recordKeys.has(key)) {
          if (def.mode === "loose") {
            if (key === "__proto__")
              continue;
            payload.value[key] = input[key];
          } else {
            unrecognized = unrecognized ?? [];
            unrecognized.push(key);
          }
        }
      }
      if (unrecognized && unrecognized.length > 0) {
        payload.issues.push({
          code: "unrecognized_keys",
          input,
          inst,
          keys: unrecognized,
          continue: true
        });
      }
    } else {
      payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
      let unrecognized;
      for (const key of Reflect.ownKeys(input)) {
        if (key === "__proto__")
          continue;
        if (!Object.prototype.propertyIsEnumerable.call(input, key))
          continue;
        let keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
        if (keyResult instanceof Promise) {
          throw new Error("Async schemas not supported in object keys currently");
        }
        const checkNumericKey = typeof key === "string" && number.test(key) && keyResult.issues.length;
        if (checkNumericKey) {
          const retryResult = def.keyType._zod.run({ value: Number(key), issues: [] }, ctx);
          if (retryResult instanceof Promise) {
            throw new Error("Async schemas not supported in object keys currently");
          }
          if (retryResult.issues.length === 0) {
            keyResult = retryResult;
          }
        }
        if (keyResult.issues.length) {
          if (def.mode === "loose") {
            payload.value[key] = input[key];
          } else if (values) {
            unrecognized = unrecognized ?? [];
            unrecognized.push(key);
          } else {
            payload.issues.push({
              code: "invalid_key",
              origin: "record",
              issues: keyResult.issues.map((iss) => finalizeIssue(iss, ctx, config())),
              input: key,
              path: [key],
              inst
            });
          }
          continue;
        }
        const outKey = keyResult.value;
        if (outKey === "__proto__")
          continue;
        const result = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
        if (result instanceof Promise) {
          proms.push(result.then((result2) => {
            if (result2.issues.length) {
              payload.issues.push(...prefixIssues(key, result2.issues));
            }
            payload.value[outKey] = result2.value;
          }));
        } else {
          if (result.issues.length) {
            payload.issues.push(...prefixIssues(key, result.issues));
          }
          payload.value[outKey] = result.value;
        }
      }
      if (unrecognized && unrecognized.length > 0) {
        payload.issues.push({
          code: "unrecognized_keys",
          input,
          inst,
          keys: unrecognized,
          continue: true
        });
      }
    }
    if (proms.length) {
      return Promise.all(proms).then(() => payload);
    }
    return payload;
  };
});
var $ZodEnum = /* @__PURE__ */ $constructor("$ZodEnum", (inst, def) => {
  $ZodType.init(inst, def);
  const values = getEnumValues(def.entries);
  const valuesSet = new Set(values);
  inst._zod.values = valuesSet;
  defineLazyInternal(inst, "pattern", (zod) => {
    const patternValues = getEnumValues(zod.def.entries).filter((k) => propertyKeyTypes.has(typeof k));
    return new RegExp(patternValues.length ? `^(${patternValues.map((o) => escapeRegex(o.toString())).join("|")})$` : "^[^\\s\\S]$");
  });
  inst._zod.parse = (payload, _ctx) => {
    const input = payload.value;
    if (valuesSet.has(input)) {
      return payload;
    }
    payload.issues.push({
      code: "invalid_value",
      values,
      input,
      inst
    });
    return payload;
  };
});
var $ZodLiteral = /* @__PURE__ */ $constructor("$ZodLiteral", (inst, def) => {
  $ZodType.init(inst, def);
  const values = new Set(def.values);
  inst._zod.values = values;
  defineLazyInternal(inst, "pattern", (zod) => {
    const vals = zod.def.values;
    return new RegExp(vals.length ? `^(${vals.map((o) => typeof o === "string" ? escapeRegex(o) : o ? escapeRegex(o.toString()) : String(o)).join("|")})$` : "^[^\\s\\S]$");
  });
  inst._zod.parse = (payload, _ctx) => {
    const input = payload.value;
    if (values.has(input)) {
      return payload;
    }
    payload.issues.push({
      code: "invalid_value",
      values: def.values,
      input,
      inst
    });
    return payload;
  };
});
function handleOptionalResult(payload, result) {
  payload.value = result.issues.length ? void 0 : result.value;
  return payload;
}
var $ZodOptional = /* @__PURE__ */ $constructor("$ZodOptional", (inst, def) => {
  $ZodType.init(inst, def);
  defineLazyInternal(inst, "optin", (zod) => zod.def.innerType._zod.optin === "defaulted" ? "defaulted" : "optional");
  inst._zod.optout = "optional";
  defineLazyInternal(inst, "values", (zod) => {
    const values = zod.def.innerType._zod.values;
    return values ? /* @__PURE__ */ new Set([...values, void 0]) : void 0;
  });
  defineLazyInternal(inst, "pattern", (zod) => {
    const pattern = zod.def.innerType._zod.pattern;
    return pattern ? new RegExp(`^(${cleanRegex(pattern.source)})?$`) : void 0;
  });
  inst._zod.parse = (payload, ctx) => {
    if (payload.value === void 0) {
      if (def.innerType._zod.optin !== "defaulted")
        return payload;
      const result = def.innerType._zod.run({ value: payload.value, issues: [] }, ctx);
      if (result instanceof Promise)
        return result.then((result2) => handleOptionalResult(payload, result2));
      return handleOptionalResult(payload, result);
    }
    return def.innerType._zod.run(payload, ctx);
  };
});
var $ZodDefault = /* @__PURE__ */ $constructor("$ZodDefault", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.optin = "defaulted";
  defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
  inst._zod.parse = (payload, ctx) => {
    if (ctx.direction === "backward") {
      return def.innerType._zod.run(payload, ctx);
    }
    if (payload.value === void 0) {
      payload.value = def.defaultValue;
      return payload;
    }
    const result = def.innerType._zod.run(payload, ctx);
    if (result instanceof Promise) {
      return result.then((result2) => handleDefaultResult(result2, def));
    }
    return handleDefaultResult(result, def);
  };
});
function handleDefaultResult(payload, def) {
  if (payload.value === void 0) {
    payload.value = def.defaultValue;
  }
  return payload;
}
var $ZodCustom = /* @__PURE__ */ $constructor("$ZodCustom", (inst, def) => {
  $ZodCheck.init(inst, def);
  $ZodType.init(inst, def);
  inst._zod.parse = (payload, _) => {
    return payload;
  };
  inst._zod.check = (payload) => {
    const input = payload.value;
    const r = def.fn(input);
    if (r instanceof Promise) {
      return r.then((r2) => handleRefineResult(r2, payload, input, inst));
    }
    handleRefineResult(r, payload, input, inst);
    return;
  };
});
function handleRefineResult(result, payload, input, inst) {
  if (!result) {
    const _iss = {
      code: "custom",
      input,
      inst,
      // incorporates params.error into issue reporting
      path: [...inst._zod.def.path ?? []],
      // incorporates params.error into issue reporting
      continue: !inst._zod.def.abort
      // params: inst._zod.def.params,
    };
    if (inst._zod.def.params)
      _iss.params = inst._zod.def.params;
    payload.issues.push(issue(_iss));
  }
}

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/locales/en.js
var error = () => {
  const Sizable = {
    string: { unit: "characters", verb: "to have" },
    file: { unit: "bytes", verb: "to have" },
    array: { unit: "items", verb: "to have" },
    set: { unit: "items", verb: "to have" },
    map: { unit: "entries", verb: "to have" }
  };
  function getSizing(origin) {
    return Sizable[origin] ?? null;
  }
  const FormatDictionary = {
    regex: "input",
    email: "email address",
    url: "URL",
    emoji: "emoji",
    uuid: "UUID",
    uuidv4: "UUIDv4",
    uuidv6: "UUIDv6",
    nanoid: "nanoid",
    guid: "GUID",
    cuid: "cuid",
    cuid2: "cuid2",
    ulid: "ULID",
    xid: "XID",
    ksuid: "KSUID",
    datetime: "ISO datetime",
    date: "ISO date",
    time: "ISO time",
    duration: "ISO duration",
    ipv4: "IPv4 address",
    ipv6: "IPv6 address",
    mac: "MAC address",
    cidrv4: "IPv4 range",
    cidrv6: "IPv6 range",
    base64: "base64-encoded string",
    base64url: "base64url-encoded string",
    json_string: "JSON string",
    e164: "E.164 number",
    currency_code: "currency code",
    credit_card: "credit card number",
    iban: "IBAN",
    jwt: "JWT",
    template_literal: "input"
  };
  const TypeDictionary = {
    // Compatibility: "nan" -> "NaN" for display
    nan: "NaN"
    // All other type names omitted - they fall back to raw values via ?? operator
  };
  function getTypeName(type, input) {
    if (type === "number" && typeof input === "number" && !Number.isFinite(input)) {
      return String(input);
    }
    return TypeDictionary[type] ?? type;
  }
  return (issue2) => {
    switch (issue2.code) {
      case "invalid_type": {
        const expected = getTypeName(issue2.expected);
        const receivedType = parsedType(issue2.input);
        const received = getTypeName(receivedType, issue2.input);
        return `Invalid input: expected ${expected}, received ${received}`;
      }
      case "invalid_value":
        if (issue2.values.length === 1)
          return `Invalid input: expected ${stringifyPrimitive(issue2.values[0])}`;
        return `Invalid option: expected one of ${joinValues(issue2.values, "|")}`;
      case "too_big": {
        const adj = issue2.exact ? "exactly " : issue2.inclusive ? "<=" : "<";
        const sizing = getSizing(issue2.origin);
        if (sizing)
          return `Too big: expected ${issue2.origin ?? "value"} to have ${adj}${issue2.maximum.toString()} ${sizing.unit ?? "elements"}`;
        return `Too big: expected ${issue2.origin ?? "value"} to be ${adj}${issue2.maximum.toString()}`;
      }
      case "too_small": {
        const adj = issue2.exact ? "exactly " : issue2.inclusive ? ">=" : ">";
        const sizing = getSizing(issue2.origin);
        if (sizing) {
          return `Too small: expected ${issue2.origin} to have ${adj}${issue2.minimum.toString()} ${sizing.unit}`;
        }
        return `Too small: expected ${issue2.origin} to be ${adj}${issue2.minimum.toString()}`;
      }
      case "invalid_format": {
        const _issue = issue2;
        if (_issue.format === "starts_with") {
          return `Invalid string: must start with "${_issue.prefix}"`;
        }
        if (_issue.format === "ends_with")
          return `Invalid string: must end with "${_issue.suffix}"`;
        if (_issue.format === "includes")
          return `Invalid string: must include "${_issue.includes}"`;
        if (_issue.format === "regex")
          return `Invalid string: must match pattern ${_issue.pattern}`;
        return `Invalid ${FormatDictionary[_issue.format] ?? issue2.format}`;
      }
      case "not_multiple_of":
        return `Invalid number: must be a multiple of ${issue2.divisor}`;
      case "unrecognized_keys":
        return `Unrecognized key${issue2.keys.length > 1 ? "s" : ""}: ${joinValues(issue2.keys, ", ")}`;
      case "invalid_key":
        return `Invalid key in ${issue2.origin}`;
      case "invalid_union":
        if (issue2.options && Array.isArray(issue2.options) && issue2.options.length > 0) {
          const opts = issue2.options.map((o) => `'${o}'`).join(" | ");
          return `Invalid discriminator value. Expected ${opts}`;
        }
        if (issue2.inclusive === false) {
          return "Invalid input: more than one option matched";
        }
        return "Invalid input";
      case "invalid_element":
        return `Invalid value in ${issue2.origin}`;
      default:
        return `Invalid input`;
    }
  };
};
function en_default() {
  return {
    localeError: error()
  };
}

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/api.js
function snapshotChecks(def) {
  if (def.checks)
    def.checks = [...def.checks];
  return def;
}
// @__NO_SIDE_EFFECTS__
function _string(Class, params) {
  return new Class(snapshotChecks({ type: "string", ...normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _url(Class, params) {
  return new Class({
    type: "string",
    format: "url",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _number(Class, params) {
  return new Class(snapshotChecks({ type: "number", checks: [], ...normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _int(Class, params) {
  return new Class({
    type: "number",
    check: "number_format",
    abort: false,
    format: "safeint",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _boolean(Class, params) {
  return new Class({
    type: "boolean",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _unknown(Class) {
  return new Class({
    type: "unknown"
  });
}
// @__NO_SIDE_EFFECTS__
function _never(Class, params) {
  return new Class({
    type: "never",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _lte(value, params) {
  return new $ZodCheckLessThan({
    check: "less_than",
    ...normalizeParams(params),
    value,
    inclusive: true
  });
}
// @__NO_SIDE_EFFECTS__
function _gt(value, params) {
  return new $ZodCheckGreaterThan({
    check: "greater_than",
    ...normalizeParams(params),
    value,
    inclusive: false
  });
}
// @__NO_SIDE_EFFECTS__
function _gte(value, params) {
  return new $ZodCheckGreaterThan({
    check: "greater_than",
    ...normalizeParams(params),
    value,
    inclusive: true
  });
}
// @__NO_SIDE_EFFECTS__
function _positive(params) {
  return /* @__PURE__ */ _gt(0, params);
}
// @__NO_SIDE_EFFECTS__
function _minLength(minimum, params) {
  return new $ZodCheckMinLength({
    check: "min_length",
    ...normalizeParams(params),
    minimum
  });
}
// @__NO_SIDE_EFFECTS__
function _custom(Class, fn, _params) {
  const norm = normalizeParams(_params);
  norm.abort ?? (norm.abort = true);
  const schema = new Class({
    type: "custom",
    check: "custom",
    fn,
    ...norm
  });
  return schema;
}
// @__NO_SIDE_EFFECTS__
function _refine(Class, fn, _params) {
  const schema = new Class({
    type: "custom",
    check: "custom",
    fn,
    ...normalizeParams(_params)
  });
  return schema;
}

// ../../node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/schemas.js
var ZodMiniType = /* @__PURE__ */ $constructor("ZodMiniType", (inst, def) => {
  if (!inst._zod)
    throw new Error("Uninitialized schema in ZodMiniType.");
  $ZodType.init(inst, def);
  inst.def = def;
  inst.type = def.type;
}, {
  // `with` is an alias for `check`: the same function object, not a wrapper.
  get with() {
    return this.check;
  },
  set with(value) {
    own(this, "with", value);
  },
  parse(data, params) {
    return parse(this, data, params, { callee: this.parse });
  },
  parseAsync(data, params) {
    return parseAsync(this, data, params, { callee: this.parseAsync });
  },
  safeParse(data, params) {
    return safeParse(this, data, params);
  },
  safeParseAsync(data, params) {
    return safeParseAsync(this, data, params);
  },
  check(...checks) {
    const def = this.def;
    return this.clone({
      ...def,
      checks: [
        ...def.checks ?? [],
        ...checks.map((ch) => typeof ch === "function" ? { _zod: { check: ch, def: { check: "custom" }, onattach: [] } } : ch)
      ]
    }, { parent: true });
  },
  clone(_def, params) {
    return clone(this, _def, params);
  },
  brand() {
    return this;
  },
  register(reg, meta2) {
    reg.add(this, meta2);
    return this;
  },
  apply(fn, ...args) {
    return args.length === 0 ? fn(this) : fn(this, ...args);
  }
});
var ZodMiniString = /* @__PURE__ */ $constructor("ZodMiniString", (inst, def) => {
  $ZodString.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function string2(params) {
  return _string(ZodMiniString, params);
}
var ZodMiniStringFormat = /* @__PURE__ */ $constructor("ZodMiniStringFormat", (inst, def) => {
  $ZodStringFormat.init(inst, def);
  ZodMiniString.init(inst, def);
});
var ZodMiniURL = /* @__PURE__ */ $constructor("ZodMiniURL", (inst, def) => {
  $ZodURL.init(inst, def);
  ZodMiniStringFormat.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function url(params) {
  return _url(ZodMiniURL, params);
}
var ZodMiniNumber = /* @__PURE__ */ $constructor("ZodMiniNumber", (inst, def) => {
  $ZodNumber.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function number2(params) {
  return _number(ZodMiniNumber, params);
}
var ZodMiniNumberFormat = /* @__PURE__ */ $constructor("ZodMiniNumberFormat", (inst, def) => {
  $ZodNumberFormat.init(inst, def);
  ZodMiniNumber.init(inst, def);
});
function int(params) {
  return _int(ZodMiniNumberFormat, params);
}
var ZodMiniBoolean = /* @__PURE__ */ $constructor("ZodMiniBoolean", (inst, def) => {
  $ZodBoolean.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function boolean2(params) {
  return _boolean(ZodMiniBoolean, params);
}
var ZodMiniUnknown = /* @__PURE__ */ $constructor("ZodMiniUnknown", (inst, def) => {
  $ZodUnknown.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function unknown() {
  return _unknown(ZodMiniUnknown);
}
var ZodMiniNever = /* @__PURE__ */ $constructor("ZodMiniNever", (inst, def) => {
  $ZodNever.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function never(params) {
  return _never(ZodMiniNever, params);
}
var ZodMiniArray = /* @__PURE__ */ $constructor("ZodMiniArray", (inst, def) => {
  $ZodArray.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function array(element, params) {
  return new ZodMiniArray({
    type: "array",
    element,
    ...normalizeParams(params)
  });
}
var ZodMiniObject = /* @__PURE__ */ $constructor("ZodMiniObject", (inst, def) => {
  $ZodObject.init(inst, def);
  ZodMiniType.init(inst, def);
  installLazyProp(inst, "shape", (self2) => self2._zod.def.shape, false);
});
// @__NO_SIDE_EFFECTS__
function object(shape, params) {
  const def = {
    type: "object",
    shape: shape ?? {},
    ...normalizeParams(params)
  };
  return new ZodMiniObject(def);
}
// @__NO_SIDE_EFFECTS__
function strictObject(shape, params) {
  return new ZodMiniObject({
    type: "object",
    shape,
    catchall: /* @__PURE__ */ never(),
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function looseObject(shape, params) {
  return new ZodMiniObject({
    type: "object",
    shape,
    catchall: /* @__PURE__ */ unknown(),
    ...normalizeParams(params)
  });
}
var ZodMiniUnion = /* @__PURE__ */ $constructor("ZodMiniUnion", (inst, def) => {
  $ZodUnion.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function union(options, params) {
  return new ZodMiniUnion({
    type: "union",
    options,
    ...normalizeParams(params)
  });
}
var ZodMiniDiscriminatedUnion = /* @__PURE__ */ $constructor("ZodMiniDiscriminatedUnion", (inst, def) => {
  $ZodDiscriminatedUnion.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function discriminatedUnion(discriminator, options, params) {
  return new ZodMiniDiscriminatedUnion({
    type: "union",
    options,
    discriminator,
    ...normalizeParams(params)
  });
}
var ZodMiniRecord = /* @__PURE__ */ $constructor("ZodMiniRecord", (inst, def) => {
  $ZodRecord.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function record(keyType, valueType, params) {
  if (!valueType || !valueType._zod) {
    return new ZodMiniRecord({
      type: "record",
      keyType: /* @__PURE__ */ string2(),
      valueType: keyType,
      ...normalizeParams(valueType)
    });
  }
  return new ZodMiniRecord({
    type: "record",
    keyType,
    valueType,
    ...normalizeParams(params)
  });
}
var ZodMiniEnum = /* @__PURE__ */ $constructor("ZodMiniEnum", (inst, def) => {
  $ZodEnum.init(inst, def);
  ZodMiniType.init(inst, def);
  inst.options = [...inst._zod.values];
});
// @__NO_SIDE_EFFECTS__
function _enum(values, params) {
  const entries = Array.isArray(values) ? Object.fromEntries(values.map((v) => [v, v])) : values;
  return new ZodMiniEnum({
    type: "enum",
    entries,
    ...normalizeParams(params)
  });
}
var ZodMiniLiteral = /* @__PURE__ */ $constructor("ZodMiniLiteral", (inst, def) => {
  $ZodLiteral.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function literal(value, params) {
  return new ZodMiniLiteral({
    type: "literal",
    values: Array.isArray(value) ? value : [value],
    ...normalizeParams(params)
  });
}
var ZodMiniOptional = /* @__PURE__ */ $constructor("ZodMiniOptional", (inst, def) => {
  $ZodOptional.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function optional(innerType) {
  return new ZodMiniOptional({
    type: "optional",
    innerType
  });
}
var ZodMiniDefault = /* @__PURE__ */ $constructor("ZodMiniDefault", (inst, def) => {
  $ZodDefault.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function _default(innerType, defaultValue) {
  return new ZodMiniDefault({
    type: "default",
    innerType,
    get defaultValue() {
      return typeof defaultValue === "function" ? defaultValue() : shallowClone(defaultValue);
    }
  });
}
var ZodMiniCustom = /* @__PURE__ */ $constructor("ZodMiniCustom", (inst, def) => {
  $ZodCustom.init(inst, def);
  ZodMiniType.init(inst, def);
});
// @__NO_SIDE_EFFECTS__
function custom(fn, _params) {
  return _custom(ZodMiniCustom, fn ?? (() => true), _params);
}
// @__NO_SIDE_EFFECTS__
function refine(fn, _params = {}) {
  return _refine(ZodMiniCustom, fn, _params);
}

// src/core/config.ts
var englishErrors = { error: en_default().localeError };
var int2 = (...checks) => int().check(...checks);
var nonEmpty = () => string2().check(_minLength(1));
var timing = {
  /** Seconds between probes (default 30). */
  intervalSeconds: _default(number2().check(_gte(1), _lte(86400)), 30),
  /** Seconds before a probe counts as failed (default 5). */
  timeoutSeconds: _default(number2().check(_positive(), _lte(600)), 5),
  /** Consecutive failures before the endpoint is down and an incident opens (default 1). */
  failureThreshold: _default(int2(_gte(1), _lte(100)), 1)
};
var statusList = union([int2(_gte(100), _lte(599)), array(int2(_gte(100), _lte(599))).check(_minLength(1))]);
var endpointSchema = discriminatedUnion("type", [
  strictObject({
    type: literal("http"),
    name: nonEmpty(),
    url: url({ protocol: /^https?$/ }),
    /** Accepted status codes (default any 2xx or 3xx). */
    expectStatus: optional(statusList),
    /** A regular expression the response body must match. */
    bodyMatch: optional(nonEmpty().check(refine((pattern) => isRegExp(pattern), { message: "not a valid regular expression" }))),
    ...timing
  }),
  strictObject({
    type: literal("tcp"),
    name: nonEmpty(),
    host: _default(nonEmpty(), "127.0.0.1"),
    port: int2(_gte(1), _lte(65535)),
    ...timing
  }),
  strictObject({
    type: literal("command"),
    name: nonEmpty(),
    /** A program, run without a shell, with `args`. */
    command: nonEmpty(),
    args: _default(array(string2()), []),
    cwd: optional(nonEmpty()),
    /** The exit code that means up (default 0). */
    expectExitCode: _default(int2(_gte(0), _lte(255)), 0),
    ...timing
  })
]);
function isRegExp(pattern) {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
function target(e) {
  if (e.type === "http") return e.url;
  if (e.type === "tcp") return `${e.host}:${e.port}`;
  return JSON.stringify([e.command, ...e.args, e.cwd ?? ""]);
}
function normalize(e) {
  const common = {
    name: e.name,
    id: `${e.type}:${e.name}:${target(e)}`,
    intervalMs: Math.round(e.intervalSeconds * 1e3),
    timeoutMs: Math.round(e.timeoutSeconds * 1e3),
    failureThreshold: e.failureThreshold
  };
  if (e.type === "http") {
    const expectStatus = e.expectStatus === void 0 ? void 0 : Array.isArray(e.expectStatus) ? e.expectStatus : [e.expectStatus];
    return { ...common, type: "http", url: e.url, expectStatus, bodyMatch: e.bodyMatch };
  }
  if (e.type === "tcp") return { ...common, type: "tcp", host: e.host, port: e.port };
  return { ...common, type: "command", command: e.command, args: e.args, cwd: e.cwd, expectExitCode: e.expectExitCode };
}
function parseEndpoints(sources) {
  const endpoints = [];
  const issues = [];
  const seen = /* @__PURE__ */ new Map();
  for (const { source, path, endpoints: list } of sources) {
    if (list === void 0 || list === null) continue;
    if (!Array.isArray(list)) {
      issues.push({ source, path, message: `expected a list of endpoints, got ${describe2(list)}` });
      continue;
    }
    list.forEach((raw, index) => {
      const at = `${path}[${index}]`;
      const parsed = endpointSchema.safeParse(raw, englishErrors);
      if (!parsed.success) {
        for (const issue2 of parsed.error.issues) {
          issues.push({ source, path: [at, ...issue2.path.map(String)].join("."), message: issue2.message });
        }
        return;
      }
      const endpoint = normalize(parsed.data);
      const first = seen.get(endpoint.name);
      if (first !== void 0) {
        issues.push({ source, path: `${at}.name`, message: `'${endpoint.name}' is already the name of an endpoint in ${first}; names must be unique` });
        return;
      }
      seen.set(endpoint.name, source);
      endpoints.push(endpoint);
    });
  }
  return { endpoints, issues };
}
function parseWorkspaceFile(file, text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { source: file, path: "(file)", message: `not valid JSON: ${err.message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { source: file, path: "(file)", message: `expected an object with an "endpoints" list, got ${describe2(value)}` };
  }
  const unknownKeys = Object.keys(value).filter((key) => key !== "endpoints" && key !== "$schema");
  if (unknownKeys.length > 0) return { source: file, path: unknownKeys[0], message: 'unknown key; the file has only "endpoints"' };
  return { source: file, path: "endpoints", endpoints: value.endpoints };
}
function formatIssue(issue2) {
  return `${issue2.source} ${issue2.path}: ${issue2.message}`;
}
function describe2(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

// src/core/probes.ts
var import_node_child_process = require("node:child_process");
var import_node_http = require("node:http");
var import_node_https = require("node:https");
var import_node_net = require("node:net");
var maxBodyBytes = 256 * 1024;
async function runProbe(endpoint, signal) {
  const started = performance.now();
  const done = (ok, detail) => ({ ok, latencyMs: Math.round((performance.now() - started) * 100) / 100, detail });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${endpoint.timeoutMs} ms`)), endpoint.timeoutMs);
  const onAbort2 = () => controller.abort(new Error("cancelled"));
  signal?.addEventListener("abort", onAbort2, { once: true });
  try {
    if (signal?.aborted) return done(false, "cancelled");
    const outcome = endpoint.type === "http" ? await probeHttp(endpoint, controller.signal) : endpoint.type === "tcp" ? await probeTcp(endpoint, controller.signal) : await probeCommand(endpoint, controller.signal);
    return done(outcome.ok, outcome.detail);
  } catch (err) {
    return done(false, controller.signal.aborted ? String(controller.signal.reason.message) : describeError(err));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort2);
  }
}
function probeHttp(endpoint, signal) {
  return new Promise((resolve2, reject) => {
    const url2 = new URL(endpoint.url);
    const request = (url2.protocol === "https:" ? import_node_https.request : import_node_http.request)(url2, { method: "GET", signal, agent: false, headers: { "user-agent": "baton-health-watch", connection: "close" } }, (response) => {
      const status = response.statusCode ?? 0;
      const statusOk = endpoint.expectStatus ? endpoint.expectStatus.includes(status) : status >= 200 && status < 400;
      if (!statusOk || endpoint.bodyMatch === void 0) {
        response.resume();
        response.on("end", () => resolve2({ ok: statusOk, detail: statusOk ? `HTTP ${status}` : `HTTP ${status}, expected ${endpoint.expectStatus?.join(" or ") ?? "2xx or 3xx"}` }));
        response.on("error", reject);
        return;
      }
      const chunks = [];
      let length = 0;
      const finish = () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const matched = new RegExp(endpoint.bodyMatch).test(body);
        resolve2({ ok: matched, detail: matched ? `HTTP ${status}, body matches` : `HTTP ${status}, body does not match /${endpoint.bodyMatch}/` });
      };
      response.on("data", (chunk) => {
        if (length >= maxBodyBytes) return;
        chunks.push(chunk);
        length += chunk.length;
        if (length >= maxBodyBytes) {
          response.destroy();
          finish();
        }
      });
      response.on("end", finish);
      response.on("error", (err) => length >= maxBodyBytes ? void 0 : reject(err));
    });
    request.on("error", reject);
    request.end();
  });
}
function probeTcp(endpoint, signal) {
  return new Promise((resolve2, reject) => {
    const socket = (0, import_node_net.connect)({ host: endpoint.host, port: endpoint.port, signal });
    socket.once("connect", () => {
      socket.destroy();
      resolve2({ ok: true, detail: `connected to ${endpoint.host}:${endpoint.port}` });
    });
    socket.once("error", reject);
  });
}
function probeCommand(endpoint, signal) {
  return new Promise((resolve2, reject) => {
    const child = (0, import_node_child_process.spawn)(endpoint.command, [...endpoint.args], { cwd: endpoint.cwd, stdio: "ignore", signal, killSignal: "SIGKILL", windowsHide: true });
    child.once("error", reject);
    child.once("exit", (code, exitSignal) => {
      if (signal.aborted) return;
      if (code === null) resolve2({ ok: false, detail: `ended by ${exitSignal}` });
      else resolve2({ ok: code === endpoint.expectExitCode, detail: code === endpoint.expectExitCode ? `exit code ${code}` : `exit code ${code}, expected ${endpoint.expectExitCode}` });
    });
  });
}
var errnoText = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host lookup failed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENOENT: "command not found",
  EACCES: "permission denied"
};
function describeError(err) {
  const code = err?.code;
  if (code && errnoText[code]) return `${errnoText[code]} (${code})`;
  return err?.message ?? String(err);
}

// src/core/breaker.ts
function breakerAllows(breaker2, now) {
  return breaker2.state !== "open" || breaker2.retryAt !== void 0 && now >= breaker2.retryAt;
}
function nextBreaker(breaker2, ok, now, options = {}) {
  const failuresToOpen = options.failuresToOpen ?? 5;
  const openMs = options.openMs ?? 6e4;
  if (ok) return closedBreaker;
  const consecutiveFailures = breaker2.consecutiveFailures + 1;
  if (breaker2.state === "half-open" || breaker2.state === "open" || consecutiveFailures >= failuresToOpen) {
    return { state: "open", consecutiveFailures, retryAt: now + openMs };
  }
  return { state: "closed", consecutiveFailures, retryAt: void 0 };
}
function breakerOnProbe(breaker2, now) {
  return breaker2.state === "open" && breaker2.retryAt !== void 0 && now >= breaker2.retryAt ? { ...breaker2, state: "half-open" } : breaker2;
}
var closedBreaker = { state: "closed", consecutiveFailures: 0, retryAt: void 0 };
var NotificationLimiter = class {
  constructor(_limit = 3, _windowMs = 6e4, _now = () => performance.now()) {
    this._limit = _limit;
    this._windowMs = _windowMs;
    this._now = _now;
  }
  _limit;
  _windowMs;
  _now;
  _sent = [];
  _suppressed = 0;
  /** Whether to show one now; when it is, `suppressed` is how many were held back before it. */
  take() {
    const now = this._now();
    while (this._sent.length > 0 && now - this._sent[0] >= this._windowMs) this._sent.shift();
    if (this._sent.length >= this._limit) {
      this._suppressed++;
      return { allowed: false };
    }
    this._sent.push(now);
    const suppressed = this._suppressed;
    this._suppressed = 0;
    return { allowed: true, suppressed };
  }
};

// src/core/results.ts
var emptyResults = { term: 0, endpoints: {}, incidents: [] };
var historyLength = 60;
var incidentsKept = 200;
var num = () => number2();
function isHistory(value) {
  return Array.isArray(value) && value.every((p) => {
    const point = p;
    return typeof point === "object" && point !== null && typeof point.at === "number" && typeof point.ok === "boolean" && typeof point.latencyMs === "number";
  });
}
var breakerSchema = object({ state: _enum(["closed", "open", "half-open"]), consecutiveFailures: num(), retryAt: optional(num()) });
var statusSchema = object({
  id: string2(),
  name: string2(),
  type: _enum(["http", "tcp", "command"]),
  target: string2(),
  state: _enum(["up", "down", "unknown"]),
  latencyMs: optional(num()),
  detail: optional(string2()),
  lastCheck: optional(num()),
  consecutiveFailures: num(),
  checks: num(),
  ups: num(),
  breaker: breakerSchema,
  // Checked by one function, not a zod object per point: every window validates every version of the
  // results as it reads it, and 60 points per endpoint through zod cost about 1.5 ms a read (4.5 cold).
  history: custom(isHistory, { message: "expected a list of { at, ok, latencyMs }" })
});
var incidentSchema = object({ id: string2(), endpoint: string2(), name: string2(), startedAt: num(), endedAt: optional(num()), detail: string2() });
var resultsSchema = object({ term: num(), endpoints: record(string2(), statusSchema), incidents: array(incidentSchema) });
function storeSchema(schema) {
  return schema;
}
function describeTarget(endpoint) {
  if (endpoint.type === "http") return endpoint.url;
  if (endpoint.type === "tcp") return `${endpoint.host}:${endpoint.port}`;
  return [endpoint.command, ...endpoint.args].join(" ");
}
function initialStatus(endpoint) {
  return {
    id: endpoint.id,
    name: endpoint.name,
    type: endpoint.type,
    target: describeTarget(endpoint),
    state: "unknown",
    latencyMs: void 0,
    detail: void 0,
    lastCheck: void 0,
    consecutiveFailures: 0,
    checks: 0,
    ups: 0,
    breaker: closedBreaker,
    history: []
  };
}
function isDue(status, endpoint, now) {
  if (!status || status.lastCheck === void 0) return true;
  const slack = Math.min(1e3, endpoint.intervalMs / 10);
  return now + slack >= status.lastCheck + endpoint.intervalMs && breakerAllows(status.breaker, now + slack);
}
function nextDue(status, endpoint) {
  if (!status || status.lastCheck === void 0) return 0;
  const byInterval = status.lastCheck + endpoint.intervalMs;
  if (status.breaker.state === "open" && status.breaker.retryAt !== void 0) return Math.max(byInterval, status.breaker.retryAt);
  return byInterval;
}
function applyProbe(results, endpoint, result, term, now, breakerOptions) {
  const previous = results.endpoints[endpoint.id] ?? initialStatus(endpoint);
  const consecutiveFailures = result.ok ? 0 : previous.consecutiveFailures + 1;
  const down = !result.ok && consecutiveFailures >= endpoint.failureThreshold;
  const state = result.ok ? "up" : down ? "down" : previous.state === "unknown" ? "unknown" : previous.state;
  const status = {
    ...previous,
    name: endpoint.name,
    target: describeTarget(endpoint),
    state,
    latencyMs: result.latencyMs,
    detail: result.detail,
    lastCheck: now,
    consecutiveFailures,
    checks: previous.checks + 1,
    ups: previous.ups + (result.ok ? 1 : 0),
    breaker: nextBreaker(breakerOnProbe(previous.breaker, now), result.ok, now, breakerOptions),
    history: [...previous.history, { at: now, ok: result.ok, latencyMs: result.latencyMs }].slice(-historyLength)
  };
  let incidents = results.incidents;
  let transition;
  const open = incidents.findLast((i) => i.endpoint === endpoint.id && i.endedAt === void 0);
  if (state === "down" && !open) {
    const incident = { id: `${endpoint.id}@${now}`, endpoint: endpoint.id, name: endpoint.name, startedAt: now, endedAt: void 0, detail: result.detail };
    incidents = [...incidents, incident].slice(-incidentsKept);
    transition = { kind: "down", incident };
  } else if (state === "up" && open) {
    const closed = { ...open, endedAt: now };
    incidents = incidents.map((i) => i === open ? closed : i);
    transition = { kind: "recovered", incident: closed };
  }
  return { results: { term, endpoints: { ...results.endpoints, [endpoint.id]: status }, incidents }, transition };
}
function pruneResults(results, endpoints, term) {
  const ids = new Set(endpoints.map((e) => e.id));
  const kept = Object.fromEntries(Object.entries(results.endpoints).filter(([id]) => ids.has(id)));
  return Object.keys(kept).length === Object.keys(results.endpoints).length ? results : { ...results, term, endpoints: kept };
}

// ../../packages/base/dist/errors.js
var BatonError = class extends Error {
  code;
  data;
  constructor(code, message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.data = options.data;
  }
};
function defineErrorClass(code) {
  return class extends BatonError {
    constructor(message, options = {}) {
      super(code, message, options);
    }
  };
}
var AbortError = class extends BatonError {
  constructor(message = "The operation was aborted", options = {}) {
    super("ABORT_ERR", message, options);
  }
};
var TimeoutError = class extends defineErrorClass("ETIMEOUT") {
};
var UnsafePathError = class extends defineErrorClass("EUNSAFEPATH") {
};
var InvalidArgumentError = class extends defineErrorClass("EINVALIDARG") {
};
function isAbortError(error2) {
  if (typeof error2 !== "object" || error2 === null)
    return false;
  const { name: name2, code } = error2;
  return name2 === "AbortError" || code === "ABORT_ERR";
}
function isErrorLike(value) {
  return value instanceof Error || typeof value === "object" && value !== null && typeof value.message === "string" && typeof value.name === "string";
}
function errorCode(error2) {
  const code = error2?.code;
  return typeof code === "string" ? code : void 0;
}
var registry = /* @__PURE__ */ new Map([
  ["Error", Error],
  ["TypeError", TypeError],
  ["RangeError", RangeError],
  ["SyntaxError", SyntaxError],
  ["BatonError", BatonError],
  ["AbortError", AbortError],
  ["TimeoutError", TimeoutError],
  ["UnsafePathError", UnsafePathError],
  ["InvalidArgumentError", InvalidArgumentError]
]);
function registerErrorClass(errorClass, name2 = errorClass.name) {
  registry.set(name2, errorClass);
}
var maxCauseDepth = 4;
function serializeError(error2, options = {}, depth = 0) {
  if (!(error2 instanceof Error)) {
    return { name: "Error", message: typeof error2 === "string" ? error2 : safeString(error2) };
  }
  const out = { name: error2.name, message: error2.message };
  const code = errorCode(error2);
  if (code !== void 0)
    out.code = code;
  if (options.stacks !== false && error2.stack !== void 0)
    out.stack = error2.stack;
  if (error2 instanceof BatonError && error2.data !== void 0)
    out.data = error2.data;
  if (error2.cause !== void 0 && depth < maxCauseDepth)
    out.cause = serializeError(error2.cause, options, depth + 1);
  return out;
}
function deserializeError(serialized) {
  const errorClass = registry.get(serialized.name) ?? BatonError;
  const error2 = Object.create(errorClass.prototype);
  Object.defineProperty(error2, "message", { value: serialized.message, writable: true, configurable: true });
  Object.defineProperty(error2, "name", { value: serialized.name, writable: true, configurable: true });
  if (serialized.stack !== void 0) {
    Object.defineProperty(error2, "stack", { value: serialized.stack, writable: true, configurable: true });
  }
  if (serialized.code !== void 0)
    Object.defineProperty(error2, "code", { value: serialized.code, enumerable: true });
  else if (error2 instanceof BatonError)
    Object.defineProperty(error2, "code", { value: "EUNKNOWN", enumerable: true });
  if (error2 instanceof BatonError)
    Object.defineProperty(error2, "data", { value: serialized.data, enumerable: true });
  if (serialized.cause !== void 0) {
    Object.defineProperty(error2, "cause", { value: deserializeError(serialized.cause), writable: true, configurable: true });
  }
  return error2;
}
function safeString(value) {
  try {
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
var defaultUnexpectedErrorHandler = (error2) => {
  const err = error2 instanceof Error ? error2 : new Error(safeString(error2));
  process.emitWarning(err.stack ?? err.message, { type: "BatonUnexpectedError" });
};
var unexpectedErrorHandler = defaultUnexpectedErrorHandler;
function onUnexpectedError(error2) {
  try {
    unexpectedErrorHandler(error2);
  } catch {
  }
}

// ../../packages/base/dist/disposable.js
function toDisposable(release) {
  let done = false;
  return {
    dispose() {
      if (done)
        return;
      done = true;
      release();
    }
  };
}
function disposeAll(items) {
  const errors = [];
  for (const item of items) {
    try {
      item?.dispose();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1)
    throw errors[0];
  if (errors.length > 1)
    throw new AggregateError(errors, `${errors.length} errors while disposing`);
}
var DisposableStore = class {
  _items = /* @__PURE__ */ new Set();
  _isDisposed = false;
  get isDisposed() {
    return this._isDisposed;
  }
  get size() {
    return this._items.size;
  }
  /** Adds `item`; if the store is already disposed, the item is disposed at once instead of leaking. */
  add(item) {
    if (this._isDisposed) {
      try {
        item.dispose();
      } catch (err) {
        onUnexpectedError(err);
      }
      return item;
    }
    this._items.add(item);
    return item;
  }
  /** Removes `item` and disposes it. */
  delete(item) {
    if (this._items.delete(item))
      item.dispose();
  }
  /** Removes `item` without disposing it (ownership moves to the caller). */
  release(item) {
    this._items.delete(item);
    return item;
  }
  /** Disposes everything added so far; the store stays usable. */
  clear() {
    const items = [...this._items].reverse();
    this._items.clear();
    disposeAll(items);
  }
  dispose() {
    if (this._isDisposed)
      return;
    this._isDisposed = true;
    this.clear();
  }
};
var Disposable = class {
  static None = Object.freeze({ dispose() {
  } });
  _store = new DisposableStore();
  get _isDisposed() {
    return this._store.isDisposed;
  }
  _register(item) {
    return this._store.add(item);
  }
  dispose() {
    this._store.dispose();
  }
};
var MutableDisposable = class {
  _value;
  _isDisposed = false;
  get value() {
    return this._isDisposed ? void 0 : this._value;
  }
  set value(value) {
    if (this._isDisposed) {
      value?.dispose();
      return;
    }
    if (value === this._value)
      return;
    const old = this._value;
    this._value = value;
    old?.dispose();
  }
  clear() {
    this.value = void 0;
  }
  dispose() {
    if (this._isDisposed)
      return;
    const old = this._value;
    this._isDisposed = true;
    this._value = void 0;
    old?.dispose();
  }
};

// ../../packages/base/dist/event.js
var Emitter = class {
  _options;
  _listeners = /* @__PURE__ */ new Set();
  /** The listeners as of the last change; `fire` iterates it, so firing allocates nothing. */
  _snapshot;
  _isDisposed = false;
  _event;
  constructor(_options = {}) {
    this._options = _options;
  }
  get event() {
    this._event ??= (fn, thisArgs, disposables) => {
      if (this._isDisposed)
        return toDisposable(() => {
        });
      const entry = { fn, thisArgs };
      this._listeners.add(entry);
      this._snapshot = void 0;
      if (this._listeners.size === 1)
        this._options.onDidAddFirstListener?.();
      const subscription = toDisposable(() => {
        if (!this._listeners.delete(entry))
          return;
        this._snapshot = void 0;
        if (this._listeners.size === 0)
          this._options.onDidRemoveLastListener?.();
      });
      if (disposables instanceof DisposableStore)
        disposables.add(subscription);
      else
        disposables?.push(subscription);
      return subscription;
    };
    return this._event;
  }
  get hasListeners() {
    return this._listeners.size > 0;
  }
  get listenerCount() {
    return this._listeners.size;
  }
  fire(event) {
    if (this._isDisposed || this._listeners.size === 0)
      return;
    const snapshot = this._snapshot ??= [...this._listeners];
    for (const entry of snapshot) {
      if (!this._listeners.has(entry))
        continue;
      try {
        const result = entry.fn.call(entry.thisArgs, event);
        if (result instanceof Promise)
          result.catch((err) => this._report(err));
      } catch (err) {
        this._report(err);
      }
    }
  }
  _report(error2) {
    const handler = this._options.onListenerError ?? onUnexpectedError;
    try {
      handler(error2);
    } catch (err) {
      onUnexpectedError(err);
    }
  }
  dispose() {
    if (this._isDisposed)
      return;
    this._isDisposed = true;
    const hadListeners = this._listeners.size > 0;
    this._listeners.clear();
    this._snapshot = void 0;
    if (hadListeners)
      this._options.onDidRemoveLastListener?.();
  }
};
function eventToPromise(event, options = {}) {
  const { signal, filter } = options;
  if (signal?.aborted)
    return Promise.reject(signal.reason);
  return new Promise((resolve2, reject) => {
    const store = new DisposableStore();
    event((value) => {
      if (filter && !filter(value))
        return;
      store.dispose();
      resolve2(value);
    }, void 0, store);
    if (signal) {
      const onAbort2 = () => {
        store.dispose();
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort2, { once: true });
      store.add(toDisposable(() => signal.removeEventListener("abort", onAbort2)));
    }
  });
}

// ../../packages/base/dist/clock.js
function guarded(callback) {
  return () => {
    try {
      callback();
    } catch (err) {
      onUnexpectedError(err);
    }
  };
}
var systemClock = {
  now: () => performance.now(),
  setTimeout(callback, ms, options) {
    const handle = setTimeout(guarded(callback), Math.max(0, ms));
    if (options?.unref)
      handle.unref();
    return toDisposable(() => clearTimeout(handle));
  },
  setInterval(callback, ms, options) {
    const handle = setInterval(guarded(callback), Math.max(1, ms));
    if (options?.unref)
      handle.unref();
    return toDisposable(() => clearInterval(handle));
  }
};

// ../../packages/base/dist/abort.js
function abortReason(signal) {
  return isErrorLike(signal.reason) ? signal.reason : new AbortError(void 0, { cause: signal.reason });
}
function throwIfAborted(signal) {
  if (signal?.aborted)
    throw abortReason(signal);
}
function onAbort(signal, listener) {
  if (!signal)
    return toDisposable(() => {
    });
  if (signal.aborted) {
    listener(abortReason(signal));
    return toDisposable(() => {
    });
  }
  const handler = () => listener(abortReason(signal));
  signal.addEventListener("abort", handler, { once: true });
  return toDisposable(() => signal.removeEventListener("abort", handler));
}
function abortableDelay(ms, options = {}) {
  const { signal, clock = systemClock } = options;
  if (signal?.aborted)
    return Promise.reject(abortReason(signal));
  return new Promise((resolve2, reject) => {
    const abortListener = onAbort(signal, (reason) => {
      timer.dispose();
      reject(reason);
    });
    const timer = clock.setTimeout(() => {
      abortListener.dispose();
      resolve2();
    }, ms);
  });
}
var LinkedAbortController = class {
  _controller = new AbortController();
  _links = [];
  constructor(parents) {
    for (const parent of parents) {
      if (!parent)
        continue;
      this._links.push(onAbort(parent, (reason) => this.abort(reason)));
      if (this._controller.signal.aborted)
        break;
    }
  }
  get signal() {
    return this._controller.signal;
  }
  abort(reason) {
    if (!this._controller.signal.aborted)
      this._controller.abort(reason ?? new AbortError());
    this.dispose();
  }
  dispose() {
    for (const link of this._links.splice(0))
      link.dispose();
  }
};

// ../../packages/base/dist/backoff.js
function validateBackoffOptions(options) {
  const { initialMs, maxMs, factor = 2, jitter = "full" } = options;
  if (!(initialMs >= 0))
    throw new InvalidArgumentError(`backoff.initialMs must be >= 0, got ${initialMs}`);
  if (!(maxMs >= initialMs))
    throw new InvalidArgumentError(`backoff.maxMs must be >= initialMs (${initialMs}), got ${maxMs}`);
  if (!(factor >= 1))
    throw new InvalidArgumentError(`backoff.factor must be >= 1, got ${factor}`);
  if (typeof jitter === "number" && !(jitter >= 0 && jitter <= 1)) {
    throw new InvalidArgumentError(`backoff.jitter must be 'full', 'none' or a number in [0, 1], got ${jitter}`);
  }
}
function createBackoff(options) {
  validateBackoffOptions(options);
  const { initialMs, maxMs, factor = 2, jitter = "full", random = Math.random } = options;
  const spread = jitter === "full" ? 1 : jitter === "none" ? 0 : jitter;
  let attempt = 0;
  return {
    next() {
      const base = Math.min(maxMs, initialMs * Math.pow(factor, Math.min(attempt, 1e3)));
      attempt++;
      return base * (1 - spread + spread * random());
    },
    reset() {
      attempt = 0;
    },
    get attempt() {
      return attempt;
    }
  };
}

// ../../packages/base/dist/atomicWrite.js
var import_node_crypto = require("node:crypto");
var import_node_fs = require("node:fs");
var import_promises = require("node:fs/promises");
var import_node_path = require("node:path");
var counter = 0;
function tempPathFor(path) {
  counter = (counter + 1) % 2147483647;
  return (0, import_node_path.join)((0, import_node_path.dirname)(path), `.${(0, import_node_path.basename)(path)}.${process.pid}.${counter}.${(0, import_node_crypto.randomBytes)(4).toString("hex")}.tmp`);
}
function isAtomicWriteTempFile(name2) {
  return /^\..+\.\d+\.\d+\.[0-9a-f]{8}\.tmp$/.test(name2);
}
var syncWriteMaxBytes = 64 * 1024;
async function writeFileAtomic(path, data, options = {}) {
  const { mode = 384, fsync = true, exclusive = false, signal } = options;
  throwIfAborted(signal);
  const temp = tempPathFor(path);
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  let renamed = false;
  try {
    const fd = (0, import_node_fs.openSync)(temp, "wx", mode);
    try {
      if (bytes.byteLength <= syncWriteMaxBytes)
        writeAllSync(fd, bytes);
      else
        await writeAll(fd, bytes);
      if (process.platform !== "win32")
        (0, import_node_fs.fchmodSync)(fd, mode);
      if (fsync)
        await fsyncAsync(fd);
    } finally {
      (0, import_node_fs.closeSync)(fd);
    }
    throwIfAborted(signal);
    if (exclusive) {
      (0, import_node_fs.linkSync)(temp, path);
      (0, import_node_fs.unlinkSync)(temp);
    } else
      (0, import_node_fs.renameSync)(temp, path);
    renamed = true;
    if (fsync)
      await syncDirectory((0, import_node_path.dirname)(path));
  } catch (err) {
    if (!renamed) {
      try {
        (0, import_node_fs.unlinkSync)(temp);
      } catch {
      }
    }
    if (err instanceof Error && err.name === "AbortError")
      throw err;
    throw new BatonError("EWRITEFAILED", `Could not write ${path} atomically: ${err.message}`, {
      cause: err,
      data: { path }
    });
  }
}
function writeAllSync(fd, bytes) {
  for (let offset = 0; offset < bytes.byteLength; )
    offset += (0, import_node_fs.writeSync)(fd, bytes, offset);
}
async function writeAll(fd, bytes) {
  for (let offset = 0; offset < bytes.byteLength; ) {
    offset += await new Promise((resolve2, reject) => (0, import_node_fs.write)(fd, bytes, offset, (err, written) => err ? reject(err) : resolve2(written)));
  }
}
function fsyncAsync(fd) {
  return new Promise((resolve2, reject) => (0, import_node_fs.fsync)(fd, (err) => err ? reject(err) : resolve2()));
}
async function syncDirectory(dir) {
  if (process.platform === "win32")
    return;
  const fd = (0, import_node_fs.openSync)(dir, "r");
  try {
    await fsyncAsync(fd);
  } catch (err) {
    const code = err.code;
    if (code !== "EINVAL" && code !== "ENOTSUP" && code !== "EPERM")
      throw err;
  } finally {
    (0, import_node_fs.closeSync)(fd);
  }
}
async function readFileIfExists(path) {
  try {
    return await (0, import_promises.readFile)(path);
  } catch (err) {
    if (err.code === "ENOENT")
      return void 0;
    throw err;
  }
}

// ../../packages/base/dist/paths.js
var import_node_crypto2 = require("node:crypto");
var import_node_fs2 = require("node:fs");
var import_promises2 = require("node:fs/promises");
var import_node_os = require("node:os");
var import_node_path2 = require("node:path");
function maxSocketPathBytes(platform = process.platform) {
  return platform === "linux" || platform === "android" ? 107 : 103;
}
var unsafeChars = /[^A-Za-z0-9._-]/g;
function toFileName(name2, what = "name") {
  if (typeof name2 !== "string" || name2.length === 0) {
    throw new InvalidArgumentError(`${what} must be a non-empty string, got ${JSON.stringify(name2)}`);
  }
  if (name2 === "." || name2 === "..")
    throw new InvalidArgumentError(`${what} must not be '${name2}'`);
  const encoded = name2.replace(unsafeChars, (ch) => [...Buffer.from(ch, "utf8")].map((b) => "%" + b.toString(16).toUpperCase().padStart(2, "0")).join(""));
  if (encoded.length <= 80)
    return encoded;
  return `${encoded.slice(0, 60)}-${shortHash(name2)}`;
}
function shortHash(text) {
  return (0, import_node_crypto2.createHash)("sha256").update(text).digest("hex").slice(0, 16);
}
function defaultRuntimeDir() {
  const xdg = process.env.XDG_RUNTIME_DIR;
  if (xdg)
    return xdg;
  const uid = process.getuid?.() ?? "user";
  return (0, import_node_path2.join)((0, import_node_os.tmpdir)(), `baton-${uid}`);
}
function socketPathIn(dir, name2, options = {}) {
  const platform = options.platform ?? process.platform;
  const file = toFileName(name2, "socket name");
  const hash = shortHash(`${dir}\0${name2}`);
  if (platform === "win32")
    return `\\\\.\\pipe\\baton-${hash}`;
  const natural = (0, import_node_path2.join)(dir, `${file}.sock`);
  if (Buffer.byteLength(natural) <= maxSocketPathBytes(platform))
    return natural;
  const short = (0, import_node_path2.join)(options.runtimeDir ?? defaultRuntimeDir(), `baton-${hash}.sock`);
  if (Buffer.byteLength(short) <= maxSocketPathBytes(platform))
    return short;
  throw new InvalidArgumentError(`No socket path for '${name2}' fits the ${maxSocketPathBytes(platform)}-byte limit: ${short} is too long; set runtimeDir to a shorter directory`);
}
async function ensureSecureDirectory(dir) {
  await (0, import_promises2.mkdir)(dir, { recursive: true, mode: 448 });
  const mode = await checkSecureDirectory(dir);
  if ((mode & 63) !== 0)
    await (0, import_promises2.chmod)(dir, 448);
}
async function checkSecureDirectory(dir) {
  return verifyDirectory(dir, await (0, import_promises2.lstat)(dir));
}
function checkSecureDirectorySync(dir) {
  return verifyDirectory(dir, (0, import_node_fs2.lstatSync)(dir));
}
function verifyDirectory(dir, stats) {
  if (stats.isSymbolicLink()) {
    throw new UnsafePathError(`Refusing coordination directory ${dir}: it is a symbolic link. Remove it and let Baton create a directory.`, { data: { path: dir } });
  }
  if (!stats.isDirectory()) {
    throw new UnsafePathError(`Refusing coordination directory ${dir}: it is not a directory.`, { data: { path: dir } });
  }
  const mode = stats.mode & 511;
  if (process.platform === "win32")
    return mode;
  const uid = process.getuid?.();
  if (uid !== void 0 && stats.uid !== uid) {
    throw new UnsafePathError(`Refusing coordination directory ${dir}: it is owned by uid ${stats.uid}, not by this process's uid ${uid}. Another user could control its files; remove it or use another root.`, { data: { path: dir, owner: stats.uid, uid } });
  }
  if ((mode & 18) !== 0) {
    throw new UnsafePathError(`Refusing coordination directory ${dir}: mode ${mode.toString(8).padStart(4, "0")} lets group or others write to it. Run 'chmod 700 ${dir}' if its contents are yours.`, { data: { path: dir, mode } });
  }
  return mode;
}

// ../../packages/base/dist/logger.js
var noop = () => {
};
var noopLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger
};

// ../../packages/base/dist/osLock.js
var import_node_fs3 = require("node:fs");
var import_node_module = require("node:module");
var import_meta = {};
var OsLockUnavailableError = class extends defineErrorClass("EOSLOCK") {
};
registerErrorClass(OsLockUnavailableError);
var addon = "fs-native-extensions";
var fsExt;
var loadError;
function native() {
  if (fsExt)
    return fsExt;
  if (loadError)
    throw loadError;
  try {
    const load = typeof require === "function" ? require : (0, import_node_module.createRequire)(import_meta.url);
    fsExt = load((0, import_node_fs3.realpathSync)(load.resolve(addon)));
    return fsExt;
  } catch (err) {
    loadError = new OsLockUnavailableError(`Cannot load the OS-lock addon '${addon}' on ${process.platform}-${process.arch} (Node ${process.versions.node}): ${err.message}. Baton's locks, elections, fences and IPC socket ownership need it. In a bundle, mark '${addon}' external and ship it in node_modules beside the bundle (see @baton/base README, "Bundling").`, { cause: err });
    throw loadError;
  }
}
function ensureOsLock() {
  native();
}
var rangeOffset = process.platform === "darwin" ? 0 : 2 ** 30;
var rangeLength = process.platform === "darwin" ? 0 : 1;
function tryLockFd(fd, options = {}) {
  return native().tryLock(fd, rangeOffset, rangeLength, { shared: options.shared === true });
}
function unlockFd(fd) {
  native().unlock(fd, rangeOffset, rangeLength);
}

// ../../packages/base/dist/fileLock.js
var import_node_fs4 = require("node:fs");
async function lockFile(path, options) {
  const fd = (0, import_node_fs4.openSync)(path, "a+", 384);
  const attempts = options.attempts ?? Infinity;
  const maxDelayMs = options.maxDelayMs ?? 8;
  let delay = Math.min(0.1, maxDelayMs);
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      throwIfAborted(options.signal);
      if (tryLockFd(fd, { shared: options.shared })) {
        let released = false;
        return () => {
          if (released)
            return;
          released = true;
          (0, import_node_fs4.closeSync)(fd);
        };
      }
      await abortableDelay(delay * (0.5 + Math.random()), { signal: options.signal });
      delay = Math.min(maxDelayMs, delay * 2);
    }
  } catch (err) {
    (0, import_node_fs4.closeSync)(fd);
    throw err;
  }
  (0, import_node_fs4.closeSync)(fd);
  return void 0;
}

// src/core/sharedStorage.ts
var sharedDataSchema = strictObject({ values: record(string2(), unknown()), migrated: boolean2() });
var emptySharedData = { values: {}, migrated: false };
var SharedStorage = class extends Disposable {
  constructor(_data) {
    super();
    this._data = _data;
    this._last = _data.get();
    this._register(
      _data.onDidChange(({ value, origin }) => {
        const keys = changedKeys(this._last.values, value.values);
        this._last = value;
        if (keys.length > 0) this._onDidChange.fire({ keys, origin });
      })
    );
  }
  _data;
  _onDidChange = this._register(new Emitter());
  onDidChange = this._onDidChange.event;
  _last;
  get(key, fallback) {
    const values = this._data.get().values;
    return Object.hasOwn(values, key) ? values[key] : fallback;
  }
  keys() {
    return Object.keys(this._data.get().values);
  }
  /**
   * Replaces the value of `key` with `updater(current)`, atomically across windows; resolves with
   * the value written, once it is durable. `updater` may run more than once (when another window
   * wrote first), so it must only compute. Returning undefined deletes the key.
   */
  async update(key, updater) {
    let written;
    await this._data.update((data) => {
      written = updater(Object.hasOwn(data.values, key) ? data.values[key] : void 0);
      return { ...data, values: withKey(data.values, key, written) };
    });
    return written;
  }
  /** Sets `key` (undefined deletes it). */
  async set(key, value) {
    await this.update(key, () => value);
  }
  /**
   * Copies `keys` from `globalState` into the shared storage the first time any window runs this
   * version (the store remembers it), without overwriting a key already shared. Returns how many
   * keys were copied (0 after the first run).
   */
  async migrateFrom(memento, keys) {
    let copied = 0;
    await this._data.update((data) => {
      copied = 0;
      if (data.migrated) return data;
      let values = data.values;
      for (const key of keys) {
        const value = memento.get(key);
        if (value === void 0 || Object.hasOwn(values, key)) continue;
        values = withKey(values, key, value);
        copied++;
      }
      return { values, migrated: true };
    });
    return copied;
  }
};
function withKey(values, key, value) {
  const next = { ...values };
  if (value === void 0) delete next[key];
  else next[key] = value;
  return next;
}
function changedKeys(before, after) {
  const keys = /* @__PURE__ */ new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
}

// src/core/lifecycle.ts
var ShuttingDownError = class extends defineErrorClass("ESHUTTINGDOWN") {
};
var allowed = {
  INITIALIZING: ["READY", "SHUTTING_DOWN"],
  READY: ["BUSY", "RELOADING", "SHUTTING_DOWN"],
  BUSY: ["READY", "RELOADING", "SHUTTING_DOWN"],
  RELOADING: ["READY", "BUSY", "SHUTTING_DOWN"],
  SHUTTING_DOWN: ["STOPPED"],
  STOPPED: []
};
var Lifecycle = class extends Disposable {
  constructor(_logger = noopLogger) {
    super();
    this._logger = _logger;
  }
  _logger;
  _onDidChangeState = this._register(new Emitter());
  onDidChangeState = this._onDidChangeState.event;
  _state = "INITIALIZING";
  _running = /* @__PURE__ */ new Map();
  _reloads = 0;
  _shutdown = new AbortController();
  get state() {
    return this._state;
  }
  /** Aborted when shutdown begins: pass it to long operations. */
  get signal() {
    return this._shutdown.signal;
  }
  /** Names of the operations running now (for the status view). */
  get running() {
    return [...this._running.values()];
  }
  ready() {
    this._transition("READY");
  }
  /** Runs `operation` as a tracked operation (BUSY while any runs); refused with ESHUTTINGDOWN once shutdown began. */
  track(name2, operation) {
    if (this._state === "SHUTTING_DOWN" || this._state === "STOPPED") {
      return Promise.reject(new ShuttingDownError(`'${name2}' was not started: the extension is shutting down`));
    }
    const promise = (async () => operation(this._shutdown.signal))();
    this._running.set(promise, name2);
    if (this._state === "READY") this._transition("BUSY");
    const settle = () => {
      this._running.delete(promise);
      if (this._state === "BUSY" && this._running.size === 0) this._transition("READY");
    };
    promise.then(settle, settle);
    return promise;
  }
  /**
   * Runs a reload (RELOADING from the first to the last of a burst, then back); reloads that
   * overlap run one after the other, in order, so the last configuration is the one applied.
   */
  reload(name2, apply) {
    this._reloads++;
    const run = this._reloadChain.then(
      () => this.track(name2, async (signal) => {
        if (this._state !== "RELOADING") this._transition("RELOADING");
        return apply(signal);
      })
    );
    const settle = () => {
      this._reloads--;
      if (this._reloads === 0 && this._state === "RELOADING") this._transition(this._running.size > 0 ? "BUSY" : "READY");
    };
    this._reloadChain = run.then(settle, settle);
    return run;
  }
  _reloadChain = Promise.resolve();
  /**
   * Stops new operations, aborts the signal, and waits up to `timeoutMs` for those running.
   * Resolves with the names of those still running at the deadline (left behind).
   */
  async shutdown(timeoutMs = 5e3) {
    if (this._state === "SHUTTING_DOWN" || this._state === "STOPPED") return [];
    this._transition("SHUTTING_DOWN");
    this._shutdown.abort(new ShuttingDownError("the extension is shutting down"));
    let timer;
    const deadline = new Promise((resolve2) => timer = setTimeout(() => resolve2("timeout"), timeoutMs));
    const outcome = await Promise.race([Promise.allSettled([...this._running.keys()]).then(() => "done"), deadline]);
    clearTimeout(timer);
    const left = outcome === "timeout" ? this.running : [];
    if (left.length > 0) this._logger.warn({ left }, "shutdown deadline passed with operations still running");
    this._transition("STOPPED");
    return left;
  }
  _transition(to) {
    const from = this._state;
    if (from === to) return;
    if (!allowed[from].includes(to)) throw new BatonError("EINVALIDSTATE", `lifecycle: ${from} -> ${to} is not a valid transition`);
    this._state = to;
    this._logger.debug({ from, to, running: this._running.size }, "lifecycle");
    this._onDidChangeState.fire({ state: to, previous: from });
  }
};

// src/core/webviewBridge.ts
var WebviewBridge = class extends Disposable {
  constructor(_webview, _options) {
    super();
    this._webview = _webview;
    this._options = _options;
    this._logger = _options.logger ?? noopLogger;
    this._register(
      _webview.onDidReceiveMessage((message) => {
        if (isReady(message)) {
          this._ready = true;
          if (_options.snapshot) void this._send(_options.snapshot(), false);
          this._flush();
          return;
        }
        const parsed = _options.parse(message);
        if (parsed === void 0) {
          this._logger.warn({ message: JSON.stringify(message)?.slice(0, 200) }, "refused a malformed message from the webview");
          return;
        }
        this._onDidReceive.fire(parsed);
      })
    );
  }
  _webview;
  _options;
  _onDidReceive = this._register(new Emitter());
  onDidReceive = this._onDidReceive.event;
  _queue = [];
  _ready = false;
  _dropped = 0;
  _logger;
  get ready() {
    return this._ready;
  }
  /** Messages waiting for the view. */
  get queued() {
    return this._queue.length;
  }
  post(message) {
    if (this._isDisposed) return;
    this._queue.push(message);
    const max = this._options.maxQueued ?? 1e3;
    if (this._queue.length > max) {
      this._queue.splice(0, this._queue.length - max);
      this._dropped++;
    }
    if (this._ready) this._flush();
  }
  _flush() {
    if (this._dropped > 0) {
      this._logger.warn({ dropped: this._dropped }, "the webview was not ready for a long time; the oldest queued messages were dropped (the snapshot carries the state)");
      this._dropped = 0;
    }
    while (this._ready && this._queue.length > 0) void this._send(this._queue.shift(), true);
  }
  async _send(message, requeue) {
    let delivered;
    try {
      delivered = await this._webview.postMessage(message);
    } catch {
      delivered = false;
    }
    if (delivered || this._isDisposed) return;
    this._ready = false;
    if (requeue) this._queue.unshift(message);
  }
};
function isReady(message) {
  return typeof message === "object" && message !== null && message.type === "ready";
}

// ../../packages/coordinator/dist/group.js
var import_node_crypto7 = require("node:crypto");
var import_node_path9 = require("node:path");

// ../../packages/ipc/dist/server.js
var import_node_fs5 = require("node:fs");
var import_node_path3 = require("node:path");
var import_node_net2 = require("node:net");

// ../../packages/ipc/dist/auth.js
var import_node_crypto3 = require("node:crypto");

// ../../packages/ipc/dist/codec.js
var FrameTooLargeError = class extends defineErrorClass("EFRAMETOOLARGE") {
};
var MalformedFrameError = class extends defineErrorClass("EMALFORMEDFRAME") {
};
var defaultMaxFrameBytes = 16 * 1024 * 1024;
var headerBytes = 4;
var FrameDecoder = class {
  _maxFrameBytes;
  _chunks = [];
  _buffered = 0;
  _failed = false;
  constructor(_maxFrameBytes = defaultMaxFrameBytes) {
    this._maxFrameBytes = _maxFrameBytes;
  }
  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes() {
    return this._buffered;
  }
  /**
   * Feeds bytes; calls `onFrame` with each complete value. Throws FrameTooLargeError or
   * MalformedFrameError, after which the decoder refuses further input (close the connection).
   */
  push(chunk, onFrame) {
    if (this._failed)
      throw new MalformedFrameError("decoder already failed; the connection must be closed");
    let data;
    if (this._buffered === 0)
      data = chunk;
    else {
      this._chunks.push(chunk);
      this._buffered += chunk.length;
      const first = this._chunks[0];
      const needed = first.length >= headerBytes ? headerBytes + first.readUInt32BE(0) : headerBytes;
      if (this._buffered < needed)
        return;
      data = Buffer.concat(this._chunks, this._buffered);
      this._chunks.length = 0;
      this._buffered = 0;
    }
    let offset = 0;
    while (data.length - offset >= headerBytes) {
      const length = data.readUInt32BE(offset);
      if (length > this._maxFrameBytes) {
        this._failed = true;
        throw new FrameTooLargeError(`Incoming frame of ${length} bytes is over the ${this._maxFrameBytes}-byte limit (maxFrameBytes)`, { data: { length, max: this._maxFrameBytes } });
      }
      const end = offset + headerBytes + length;
      if (end > data.length)
        break;
      let value;
      try {
        value = JSON.parse(data.toString("utf8", offset + headerBytes, end));
      } catch (err) {
        this._failed = true;
        throw new MalformedFrameError(`Frame of ${length} bytes is not valid JSON: ${err.message}`, { cause: err });
      }
      offset = end;
      onFrame(value);
    }
    if (offset < data.length) {
      const rest = data.subarray(offset);
      this._chunks.push(rest);
      this._buffered = rest.length;
      if (rest.length >= headerBytes) {
        const length = rest.readUInt32BE(0);
        if (length > this._maxFrameBytes) {
          this._failed = true;
          throw new FrameTooLargeError(`Incoming frame of ${length} bytes is over the ${this._maxFrameBytes}-byte limit (maxFrameBytes)`, { data: { length, max: this._maxFrameBytes } });
        }
      }
    }
  }
};
function encodePayload(value, maxFrameBytes = defaultMaxFrameBytes) {
  const text = JSON.stringify(value);
  if (text === void 0)
    throw new MalformedFrameError("cannot send undefined as a message");
  const bytes = Buffer.byteLength(text);
  if (bytes > maxFrameBytes) {
    throw new FrameTooLargeError(`Outgoing message of ${bytes} bytes is over the ${maxFrameBytes}-byte limit (maxFrameBytes); send it in parts`, { data: { bytes, max: maxFrameBytes } });
  }
  return { text, bytes };
}
function framesLength(payloads) {
  let total = 0;
  for (const p of payloads)
    total += headerBytes + p.bytes;
  return total;
}
function encodeFrames(payloads) {
  const out = Buffer.allocUnsafe(framesLength(payloads));
  encodeFramesInto(payloads, out);
  return out;
}
function encodeFramesInto(payloads, target2) {
  let offset = 0;
  for (const p of payloads) {
    target2.writeUInt32BE(p.bytes, offset);
    offset += headerBytes;
    offset += target2.write(p.text, offset, "utf8");
  }
}

// ../../packages/ipc/dist/errors.js
var ConnectionLostError = class extends defineErrorClass("ECONNLOST") {
};
var MethodNotFoundError = class extends defineErrorClass("ENOMETHOD") {
};
var AuthError = class extends defineErrorClass("EAUTH") {
};
var ProtocolError = class extends defineErrorClass("EPROTOCOL") {
};
var FrameTimeoutError = class extends defineErrorClass("EFRAMETIMEOUT") {
};
var HandshakeTimeoutError = class extends defineErrorClass("EHANDSHAKETIMEOUT") {
};
var RequestTimeoutError = class extends defineErrorClass("EREQUESTTIMEOUT") {
};
var ServerRunningError = class extends defineErrorClass("ESERVERRUNNING") {
};
var SlowConsumerError = class extends defineErrorClass("ESLOWCONSUMER") {
};
for (const errorClass of [
  ConnectionLostError,
  MethodNotFoundError,
  AuthError,
  ProtocolError,
  RequestTimeoutError,
  ServerRunningError,
  SlowConsumerError,
  FrameTimeoutError,
  HandshakeTimeoutError,
  FrameTooLargeError,
  MalformedFrameError
]) {
  registerErrorClass(errorClass);
}

// ../../packages/ipc/dist/auth.js
async function ensureAuthToken(file) {
  const existing = await readAuthToken(file);
  if (existing)
    return existing;
  const token = (0, import_node_crypto3.randomBytes)(32).toString("hex");
  try {
    await writeFileAtomic(file, token + "\n", { mode: 384, exclusive: true });
    return token;
  } catch (err) {
    if (err.cause?.code !== "EEXIST")
      throw err;
  }
  const winner = await readAuthToken(file);
  if (!winner)
    throw new AuthError(`Auth token file ${file} vanished while it was being created; try again`);
  return winner;
}
async function readAuthToken(file) {
  const data = await readFileIfExists(file);
  if (data === void 0)
    return void 0;
  const token = data.toString("utf8").trim();
  if (token.length < 16)
    throw new AuthError(`Auth token file ${file} holds no usable token (${token.length} characters); delete it to have a new one made`);
  return token;
}
function tokensMatch(given, expected) {
  const a = (0, import_node_crypto3.createHash)("sha256").update(given).digest();
  const b = (0, import_node_crypto3.createHash)("sha256").update(expected).digest();
  return (0, import_node_crypto3.timingSafeEqual)(a, b);
}

// ../../packages/ipc/dist/channel.js
var cost = (item) => item.packed ? item.packed.length : item.bytes + 4;
var count = (item) => item.packed ? item.count : 1;
var dropWarningIntervalMs = 1e4;
var resolved = Promise.resolve();
var batchMessages = 16;
var batchBytes = 64 * 1024;
var packBytes = 256 * 1024;
var framesPerTurn = 64;
var endGraceMs = 1e3;
function encodeBatch(batch) {
  if (!batch.some((item) => item.packed))
    return encodeFrames(batch);
  const parts = [];
  let texts = [];
  for (const item of batch) {
    if (!item.packed) {
      texts.push(item);
      continue;
    }
    if (texts.length > 0)
      parts.push(encodeFrames(texts));
    texts = [];
    parts.push(item.packed);
  }
  if (texts.length > 0)
    parts.push(encodeFrames(texts));
  return Buffer.concat(parts);
}
var FramedChannel = class extends Disposable {
  _socket;
  _options;
  _onMessage = this._register(new Emitter());
  onMessage = this._onMessage.event;
  _onClose = this._register(new Emitter());
  onClose = this._onClose.event;
  _decoder;
  _maxFrameBytes;
  _maxQueueBytes;
  _policy;
  /** Outbound messages in order; a dropped one leaves a hole (undefined) until the next flush or compaction. */
  _queue = [];
  _queuedBytes = 0;
  /** Positions in _queue of droppable messages, oldest first from _droppableHead: dropping is O(1). */
  _droppable = [];
  _droppableHead = 0;
  _holes = 0;
  /** Messages in _queue (a packed entry holds many). */
  _queuedCount = 0;
  /** Where the trailing run of unpacked droppable messages begins in _queue, and its bytes. */
  _runStart = 0;
  _runBytes = 0;
  /**
   * The bytes of packed runs while the peer does not read, in the order they were packed; since
   * packed entries are only ever dropped oldest first or sent all at once, the live region is
   * [_ringHead, _ringTail), wrapping once at the end.
   */
  _ring;
  _ringHead = 0;
  _ringTail = 0;
  _ringLive = 0;
  _flushScheduled = false;
  _blocked = false;
  _closed = false;
  _ending = false;
  /** Frames decoded but not yet handed on (over this turn's budget), from _inboxHead. */
  _inbox = [];
  _inboxHead = 0;
  _budget = framesPerTurn;
  _nextTurn;
  _dropped = 0;
  _onDidDrain = this._register(new Emitter());
  _lastDropWarning = -Infinity;
  /** Monotonic time of the last frame received (heartbeats use it). */
  lastReceivedAt = performance.now();
  lastSentAt = performance.now();
  /** Monotonic time the frame being received began to arrive; undefined between frames. */
  partialSince;
  _flushSoon = () => {
    this._flushScheduled = false;
    try {
      this._flush();
    } catch (err) {
      this.destroy(err);
    }
  };
  _deliver = (value) => {
    if (this._closed)
      return;
    if (this._budget > 0 && this._inboxHead === this._inbox.length) {
      this._budget--;
      this._onMessage.fire(value);
    } else
      this._inbox.push(value);
  };
  _takeTurn = () => {
    this._nextTurn = void 0;
    this._budget = framesPerTurn;
    while (!this._closed && this._budget > 0 && this._inboxHead < this._inbox.length) {
      const value = this._inbox[this._inboxHead];
      this._inbox[this._inboxHead++] = void 0;
      this._budget--;
      this._onMessage.fire(value);
    }
    if (this._closed)
      return;
    if (this._inboxHead < this._inbox.length) {
      this._nextTurn = setImmediate(this._takeTurn);
      return;
    }
    this._inbox = [];
    this._inboxHead = 0;
    this._socket.resume();
  };
  constructor(_socket, _options) {
    super();
    this._socket = _socket;
    this._options = _options;
    this._maxFrameBytes = _options.maxFrameBytes ?? defaultMaxFrameBytes;
    this._maxQueueBytes = _options.maxQueueBytes ?? 8 * 1024 * 1024;
    this._policy = _options.slowConsumer ?? "disconnect";
    this._decoder = new FrameDecoder(this._maxFrameBytes);
    const onData = (chunk) => this._onData(chunk);
    const onDrain = () => {
      this._blocked = false;
      this._flush();
      if (!this._blocked)
        this._onDidDrain.fire();
    };
    const onError = (err) => this._close(`socket error: ${err.message}`, err);
    const onEnd = () => this._close("peer closed the connection");
    const onClose = () => this._close("connection closed");
    _socket.on("data", onData);
    _socket.on("drain", onDrain);
    _socket.on("error", onError);
    _socket.on("end", onEnd);
    _socket.on("close", onClose);
    this._register({
      dispose: () => {
        _socket.off("data", onData);
        _socket.off("drain", onDrain);
        _socket.off("end", onEnd);
        _socket.off("close", onClose);
        _socket.off("error", onError);
        _socket.on("error", () => {
        });
      }
    });
  }
  get isClosed() {
    return this._closed;
  }
  /** Bytes waiting: our queue plus what the socket has buffered. */
  get queuedBytes() {
    return this._queuedBytes + this._socket.writableLength;
  }
  get droppedMessages() {
    return this._dropped;
  }
  /** Resolves when the socket accepts more without buffering (at once if it does now, or on close). */
  whenWritable() {
    if (!this._blocked || this._closed)
      return Promise.resolve();
    return new Promise((resolve2) => {
      const done = () => {
        drain.dispose();
        close.dispose();
        resolve2();
      };
      const drain = this._onDidDrain.event(done);
      const close = this.onClose(done);
    });
  }
  /** Encodes and queues a message. Throws FrameTooLargeError for a message over maxFrameBytes. */
  send(message, droppable = false) {
    this.sendEncoded(encodePayload(message, this._maxFrameBytes), droppable);
  }
  /** Queues an already encoded message (a broadcast encodes once for all peers). */
  sendEncoded(encoded, droppable = false) {
    if (this._closed || this._ending)
      return;
    if (droppable && this._policy === "drop-oldest") {
      this._droppable.push(this._queue.length);
      this._runBytes += encoded.bytes + 4;
    } else {
      this._runStart = this._queue.length + 1;
      this._runBytes = 0;
    }
    this._queue.push({ text: encoded.text, bytes: encoded.bytes, droppable });
    this._queuedBytes += encoded.bytes + 4;
    this._queuedCount++;
    if (this._blocked && this._runBytes >= packBytes)
      this._pack();
    if (this.queuedBytes > this._maxQueueBytes && !this._relieve())
      return;
    if (this._blocked)
      return;
    if (this._queue.length >= batchMessages || this._queuedBytes >= batchBytes) {
      this._flush();
      return;
    }
    if (!this._flushScheduled) {
      this._flushScheduled = true;
      void resolved.then(this._flushSoon);
    }
  }
  /** Over the bound: drop or disconnect by policy. Returns false when the channel was closed. */
  _relieve() {
    if (this._policy === "drop-oldest") {
      let dropped = 0;
      while (this.queuedBytes > this._maxQueueBytes && this._droppableHead < this._droppable.length) {
        const index = this._droppable[this._droppableHead++];
        const item = this._queue[index];
        this._queue[index] = void 0;
        this._holes++;
        if (item.packed && item.inRing)
          this._releaseRing(item.packed);
        this._queuedBytes -= cost(item);
        this._queuedCount -= count(item);
        dropped += count(item);
      }
      if (this._holes > 64 && this._holes * 2 > this._queue.length)
        this._compact();
      if (dropped > 0) {
        this._dropped += dropped;
        const now = performance.now();
        if (now - this._lastDropWarning >= dropWarningIntervalMs) {
          this._lastDropWarning = now;
          this._options.logger.warn({ dropped: this._dropped, maxQueueBytes: this._maxQueueBytes }, "slow consumer: dropping oldest messages");
        }
      }
      if (this.queuedBytes <= this._maxQueueBytes)
        return true;
    }
    const error2 = new SlowConsumerError(`Peer did not read: ${this.queuedBytes} bytes queued, over the ${this._maxQueueBytes}-byte bound (maxQueueBytes); disconnecting`);
    this._options.logger.warn({ err: error2 }, "slow consumer disconnected");
    this.destroy(error2);
    return false;
  }
  /** Frames the trailing run of droppable messages into one buffer (only while the peer does not read). */
  _pack() {
    const run = this._queue.splice(this._runStart);
    const live = run.filter(Boolean);
    this._holes -= run.length - live.length;
    while (this._droppable.length > 0 && this._droppable[this._droppable.length - 1] >= this._runStart)
      this._droppable.pop();
    this._droppableHead = Math.min(this._droppableHead, this._droppable.length);
    if (live.length > 0) {
      const length = framesLength(live);
      const reserved = this._reserve(length);
      const packed = reserved ?? Buffer.allocUnsafe(length);
      encodeFramesInto(live, packed);
      this._droppable.push(this._queue.length);
      this._queue.push({ packed, count: live.length, droppable: true, inRing: reserved !== void 0 });
    }
    this._runStart = this._queue.length;
    this._runBytes = 0;
  }
  /** `length` bytes of the ring after the newest packed run, or undefined when they do not fit. */
  _reserve(length) {
    this._ring ??= Buffer.allocUnsafe(this._maxQueueBytes + 3 * packBytes);
    const capacity = this._ring.length;
    if (this._ringLive === 0)
      this._ringHead = this._ringTail = 0;
    let at;
    if (this._ringTail >= this._ringHead) {
      if (this._ringTail + length <= capacity)
        at = this._ringTail;
      else if (length < this._ringHead)
        at = 0;
      else
        return void 0;
    } else if (this._ringTail + length < this._ringHead)
      at = this._ringTail;
    else
      return void 0;
    this._ringTail = at + length;
    this._ringLive += length;
    return this._ring.subarray(at, at + length);
  }
  /** The oldest packed run in the ring was dropped. */
  _releaseRing(packed) {
    this._ringHead = packed.byteOffset - this._ring.byteOffset + packed.length;
    this._ringLive -= packed.length;
  }
  _compact() {
    const kept = [];
    const droppable = [];
    for (const item of this._queue) {
      if (!item)
        continue;
      if (item.droppable)
        droppable.push(kept.length);
      kept.push(item);
    }
    this._queue = kept;
    this._droppable = droppable;
    this._droppableHead = 0;
    this._holes = 0;
    this._runStart = kept.length;
    this._runBytes = 0;
  }
  /** Messages waiting in the outbound queue, not counting what the socket has buffered. */
  get queueLength() {
    return this._queuedCount;
  }
  _flush(force = false) {
    if (this._closed || this._blocked && !force || this._queue.length === 0)
      return;
    const batch = this._holes > 0 ? this._queue.filter(Boolean) : this._queue;
    this._resetQueue();
    if (batch.length === 0)
      return;
    this.lastSentAt = performance.now();
    const ok = this._socket.write(encodeBatch(batch));
    if (!ok)
      this._blocked = true;
  }
  _resetQueue() {
    this._queue = [];
    this._droppable = [];
    this._droppableHead = 0;
    this._holes = 0;
    this._queuedBytes = 0;
    this._queuedCount = 0;
    this._runStart = 0;
    this._runBytes = 0;
    this._ring = void 0;
    this._ringHead = this._ringTail = this._ringLive = 0;
  }
  _onData(chunk) {
    if (this._endReason)
      return;
    const now = performance.now();
    this.lastReceivedAt = now;
    try {
      this._decoder.push(chunk, this._deliver);
    } catch (err) {
      this._options.logger.warn({ err, bytes: chunk.length }, "closing connection: bad frame");
      this.endWith(err);
      return;
    }
    if (this._decoder.bufferedBytes === 0)
      this.partialSince = void 0;
    else
      this.partialSince ??= now;
    if (this._inboxHead < this._inbox.length && this._nextTurn === void 0 && !this._closed) {
      this._socket.pause();
      this._nextTurn = setImmediate(this._takeTurn);
    }
  }
  /**
   * Sends `farewell` (by default the one the owner's `farewell` option makes for `error`), then
   * ends the connection; `error` is the reason the close reports.
   */
  endWith(error2, farewell = this._options.farewell?.(error2)) {
    if (this._closed || this._ending)
      return;
    if (farewell !== void 0) {
      try {
        this.send(farewell);
      } catch {
      }
    }
    this._endReason = error2;
    this.end();
  }
  _endReason;
  /**
   * Sends what is queued (under backpressure too: the socket buffers it), then closes. Nothing
   * sent afterwards is queued. A peer that does not close its side within a second is cut off.
   */
  end() {
    if (this._closed || this._ending)
      return;
    this._ending = true;
    this._flush(true);
    this._socket.end();
    const grace = setTimeout(() => this.destroy(this._endReason), endGraceMs);
    grace.unref();
    this._register({ dispose: () => clearTimeout(grace) });
  }
  /** Closes at once, dropping anything queued. */
  destroy(error2) {
    this._close(error2 ? error2.message : "closed", error2);
    this._socket.destroy();
  }
  _close(reason, error2) {
    if (this._closed)
      return;
    this._closed = true;
    error2 ??= this._endReason;
    if (error2)
      reason = error2.message;
    this._resetQueue();
    this._inbox = [];
    this._inboxHead = 0;
    if (this._nextTurn)
      clearImmediate(this._nextTurn);
    this._nextTurn = void 0;
    this._onClose.fire(error2 ? { reason, error: error2 } : { reason });
    this.dispose();
  }
};

// ../../packages/ipc/dist/protocol.js
var protocolVersion = 1;
var supportedVersions = [protocolVersion];
var isString = (v) => typeof v === "string";
var isId = (v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
var isName = (v) => typeof v === "string" && v.length > 0 && v.length <= 256;
function parseEnvelope(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "message is not an object";
  const m = value;
  switch (m.t) {
    case "req":
      if (!isId(m.id))
        return `req.id must be a non-negative integer, got ${JSON.stringify(m.id)}`;
      if (!isName(m.m))
        return `req.m (method) must be a non-empty string, got ${JSON.stringify(m.m)}`;
      return m;
    case "res":
      if (!isId(m.id))
        return `res.id must be a non-negative integer, got ${JSON.stringify(m.id)}`;
      if (m.e !== void 0 && (typeof m.e !== "object" || m.e === null || !isString(m.e.message))) {
        return "res.e must be a serialized error with a message";
      }
      return m;
    case "note":
      if (!isName(m.m))
        return `note.m (method) must be a non-empty string, got ${JSON.stringify(m.m)}`;
      return m;
    case "pub":
    case "sub":
    case "unsub":
      if (!isName(m.topic))
        return `${m.t}.topic must be a non-empty string, got ${JSON.stringify(m.topic)}`;
      return m;
    case "cancel":
      if (!isId(m.id))
        return `cancel.id must be a non-negative integer, got ${JSON.stringify(m.id)}`;
      return m;
    case "ping":
    case "pong":
      return m;
    case "hello":
      if (typeof m.v !== "number")
        return "hello.v (protocol version) must be a number";
      if (!isString(m.name) || m.name.length > 256)
        return "hello.name must be a string of at most 256 characters";
      if (!isId(m.pid))
        return "hello.pid must be a non-negative integer";
      if (!isString(m.token))
        return "hello.token must be a string";
      return m;
    case "welcome":
      if (typeof m.v !== "number" || !isString(m.id))
        return "welcome needs v and id";
      return m;
    case "refuse":
      if (!isString(m.code) || !isString(m.message))
        return "refuse needs code and message";
      return m;
    default:
      return `unknown message type ${JSON.stringify(m.t)}`;
  }
}
function refusal(error2, extra) {
  const message = { t: "refuse", code: errorCode(error2) ?? "EPROTOCOL", message: error2.message };
  if (extra?.versions)
    message.versions = [...extra.versions];
  return message;
}
function refuse(channel, error2, extra) {
  channel.endWith(error2, refusal(error2, extra));
}

// ../../packages/ipc/dist/rpc.js
function isThenable(value) {
  return typeof value === "object" && value !== null && typeof value.then === "function";
}
var RpcConnection = class extends Disposable {
  channel;
  _handlers;
  _logger;
  _onDidClose = this._register(new Emitter());
  onDidClose = this._onDidClose.event;
  _pending = /* @__PURE__ */ new Map();
  /** Requests being served: their controller once a handler asked for a signal, else null. */
  _inflight = /* @__PURE__ */ new Map();
  _cancelled = /* @__PURE__ */ new Set();
  _nextId = 1;
  _closed = false;
  /**
   * One timer for all request timeouts, armed for the earliest deadline. A timer per request
   * costs an allocation and a timer-list insert and removal on every call, and almost every
   * request is answered long before its deadline.
   */
  _deadlineTimer;
  _armedFor = Infinity;
  _heartbeat;
  _errorStacks;
  constructor(channel, _handlers, _logger, options = {}) {
    super();
    this.channel = channel;
    this._handlers = _handlers;
    this._logger = _logger;
    this._errorStacks = options.errorStacks ?? false;
    this._register(channel.onMessage((value) => this._receive(value)));
    this._register(channel.onClose(({ reason, error: error2 }) => this._shutdown(reason, error2)));
    const intervalMs = options.heartbeat?.intervalMs ?? 1e3;
    const timeoutMs = options.heartbeat?.timeoutMs ?? 5e3;
    const frameTimeoutMs = options.heartbeat?.frameTimeoutMs ?? 1e4;
    let judging = false;
    const judge = () => {
      judging = false;
      const silentMs = performance.now() - channel.lastReceivedAt;
      if (silentMs <= timeoutMs || this._closed)
        return;
      this._logger.warn({ silentMs: Math.round(silentMs), timeoutMs }, "peer stopped answering heartbeats; closing");
      channel.destroy(new ConnectionLostError(`Peer sent nothing for ${Math.round(silentMs)} ms (heartbeat timeout ${timeoutMs} ms)`));
    };
    this._heartbeat = setInterval(() => {
      const now = performance.now();
      if (channel.partialSince !== void 0 && now - channel.partialSince > frameTimeoutMs) {
        const error2 = new FrameTimeoutError(`A frame began ${Math.round(now - channel.partialSince)} ms ago and is not complete (frame timeout ${frameTimeoutMs} ms); closing`);
        this._logger.warn({ err: error2 }, "closing connection: incomplete frame");
        refuse(channel, error2);
      } else if (now - channel.lastReceivedAt > timeoutMs) {
        if (!judging) {
          judging = true;
          setImmediate(judge);
        }
      } else if (now - channel.lastSentAt >= intervalMs) {
        channel.send({ t: "ping" });
      }
    }, Math.max(10, Math.min(intervalMs, timeoutMs / 2)));
    this._heartbeat.unref();
    this._register({ dispose: () => clearInterval(this._heartbeat) });
  }
  get isClosed() {
    return this._closed;
  }
  request(method, params, options) {
    throwIfAborted(options.signal);
    if (this._closed)
      return Promise.reject(new ConnectionLostError(`Cannot send request '${method}': the connection is closed`));
    const id = this._nextId++;
    return new Promise((resolve2, reject) => {
      try {
        this.channel.send({ t: "req", id, m: method, p: params });
      } catch (err) {
        reject(err);
        return;
      }
      const timeoutMs = options.timeoutMs ?? options.defaultTimeoutMs;
      const deadline = timeoutMs > 0 && Number.isFinite(timeoutMs) ? performance.now() + timeoutMs : Infinity;
      const entry = { resolve: resolve2, reject, deadline, timeoutMs, abort: void 0, method };
      this._pending.set(id, entry);
      if (deadline < this._armedFor)
        this._armDeadlines(deadline);
      if (options.signal) {
        entry.abort = onAbort(options.signal, (reason) => {
          this._settle(id)?.reject(reason);
          this._sendQuietly({ t: "cancel", id });
        });
      }
    });
  }
  _armDeadlines(deadline) {
    if (this._deadlineTimer)
      clearTimeout(this._deadlineTimer);
    this._armedFor = deadline;
    this._deadlineTimer = setTimeout(() => this._expire(), Math.max(0, deadline - performance.now()));
  }
  /** Rejects every request past its deadline, then re-arms for the earliest one left. */
  _expire() {
    this._deadlineTimer = void 0;
    this._armedFor = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [id, entry] of this._pending) {
      if (entry.deadline <= now) {
        this._settle(id);
        entry.reject(new RequestTimeoutError(`Request '${entry.method}' got no response within ${entry.timeoutMs} ms`, { data: { method: entry.method, timeoutMs: entry.timeoutMs } }));
        this._sendQuietly({ t: "cancel", id });
      } else if (entry.deadline < next)
        next = entry.deadline;
    }
    if (next !== Infinity && !this._closed)
      this._armDeadlines(next);
  }
  /** Removes a pending request and its abort listener; returns it if it was still pending. */
  _settle(id) {
    const entry = this._pending.get(id);
    if (!entry)
      return void 0;
    this._pending.delete(id);
    entry.abort?.dispose();
    return entry;
  }
  notify(method, params) {
    this.channel.send({ t: "note", m: method, p: params });
  }
  send(envelope, droppable = false) {
    this.channel.send(envelope, droppable);
  }
  sendEncoded(encoded, droppable = false) {
    this.channel.sendEncoded(encoded, droppable);
  }
  _sendQuietly(envelope) {
    try {
      if (!this._closed)
        this.channel.send(envelope);
    } catch {
    }
  }
  _receive(value) {
    const envelope = parseEnvelope(value);
    if (typeof envelope === "string") {
      this._logger.warn({ reason: envelope }, "closing connection: invalid message");
      refuse(this.channel, new ProtocolError(`Invalid message: ${envelope}`));
      return;
    }
    switch (envelope.t) {
      case "res": {
        const entry = this._settle(envelope.id);
        if (!entry)
          return;
        if (envelope.e)
          entry.reject(deserializeError(envelope.e));
        else
          entry.resolve(envelope.r);
        return;
      }
      case "req":
        this._serve(envelope.id, envelope.m, envelope.p);
        return;
      case "cancel": {
        if (!this._inflight.has(envelope.id))
          return;
        const controller = this._inflight.get(envelope.id);
        if (controller)
          controller.abort();
        else
          this._cancelled.add(envelope.id);
        return;
      }
      case "note":
        this._guard("notification", () => this._handlers.notify?.(envelope.m, envelope.p));
        return;
      case "pub":
        this._guard("publication", () => this._handlers.publish?.(envelope.topic, envelope.p));
        return;
      case "sub":
        this._handlers.subscribe?.(envelope.topic);
        return;
      case "unsub":
        this._handlers.unsubscribe?.(envelope.topic);
        return;
      case "ping":
        this._sendQuietly({ t: "pong" });
        return;
      case "pong":
        return;
      case "refuse":
        this._logger.warn({ code: envelope.code, reason: envelope.message }, "peer refused the connection");
        this.channel.destroy(new ProtocolError(`Peer closed the connection: ${envelope.code}: ${envelope.message}`, { data: { code: envelope.code } }));
        return;
      default:
        refuse(this.channel, new ProtocolError(`Unexpected '${envelope.t}' after the handshake`));
    }
  }
  _guard(what, fn) {
    try {
      fn();
    } catch (err) {
      this._logger.warn({ err }, `${what} handler threw`);
    }
  }
  _serve(id, method, params) {
    const handler = this._handlers.request;
    if (!handler) {
      this._respond(id, false, new ProtocolError("this side does not serve requests"));
      return;
    }
    if (this._inflight.has(id)) {
      refuse(this.channel, new ProtocolError(`Request id ${id} is already in flight on this connection; ids may be reused only after their answer`));
      return;
    }
    this._inflight.set(id, null);
    const signal = () => {
      let controller = this._inflight.get(id);
      if (!controller) {
        controller = new AbortController();
        if (this._cancelled.delete(id) || this._closed)
          controller.abort();
        if (this._inflight.has(id))
          this._inflight.set(id, controller);
      }
      return controller.signal;
    };
    let result;
    try {
      result = handler(method, params, signal);
    } catch (err) {
      this._finish(id, false, err);
      return;
    }
    if (!isThenable(result)) {
      this._finish(id, true, result);
      return;
    }
    try {
      result.then((value) => this._finish(id, true, value), (err) => this._finish(id, false, err));
    } catch (err) {
      this._finish(id, false, err);
    }
  }
  /** Sends the answer to a served request, unless it was cancelled or the connection closed. */
  _finish(id, ok, value) {
    const controller = this._inflight.get(id);
    this._inflight.delete(id);
    const cancelled = this._cancelled.delete(id) || controller?.signal.aborted === true;
    if (this._closed || cancelled)
      return;
    this._respond(id, ok, value);
  }
  _respond(id, ok, value) {
    try {
      this.channel.send(ok ? { t: "res", id, r: value } : { t: "res", id, e: this._serializeError(value) });
    } catch (err) {
      this._sendQuietly({ t: "res", id, e: this._serializeError(err) });
    }
  }
  _serializeError(error2) {
    return serializeError(error2, { stacks: this._errorStacks });
  }
  _shutdown(reason, error2) {
    if (this._closed)
      return;
    this._closed = true;
    clearInterval(this._heartbeat);
    if (this._deadlineTimer)
      clearTimeout(this._deadlineTimer);
    this._deadlineTimer = void 0;
    for (const id of [...this._pending.keys()]) {
      const entry = this._settle(id);
      entry.reject(new ConnectionLostError(`Connection lost before '${entry.method}' was answered: ${reason}`, error2 ? { cause: error2 } : void 0));
    }
    for (const controller of this._inflight.values())
      controller?.abort(new ConnectionLostError(`Connection lost: ${reason}`));
    this._inflight.clear();
    this._cancelled.clear();
    this._onDidClose.fire(error2 ? { reason, error: error2 } : { reason });
    this.dispose();
  }
  close() {
    this.channel.end();
  }
};

// ../../packages/ipc/dist/server.js
var notificationSignal = new AbortController().signal;
var HandlerContext = class {
  peer;
  _signal;
  constructor(peer, _signal) {
    this.peer = peer;
    this._signal = _signal;
  }
  get signal() {
    return this._signal();
  }
};
var IpcServer = class extends Disposable {
  _options;
  _onDidConnect = this._register(new Emitter());
  onDidConnect = this._onDidConnect.event;
  _onDidDisconnect = this._register(new Emitter());
  onDidDisconnect = this._onDidDisconnect.event;
  _handlers = /* @__PURE__ */ new Map();
  _peers = /* @__PURE__ */ new Map();
  _sockets = /* @__PURE__ */ new Set();
  _logger;
  _net;
  _lockFd;
  _socketIno;
  _nextPeer = 1;
  _closing;
  constructor(_options) {
    super();
    this._options = _options;
    if (!_options.auth?.token)
      throw new InvalidArgumentError("createServer: auth.token is required");
    this._logger = (_options.logger ?? noopLogger).child({ pkg: "ipc", path: _options.path });
    if (_options.signal)
      this._register(onAbort(_options.signal, () => void this.close()));
  }
  get path() {
    return this._options.path;
  }
  get peers() {
    return [...this._peers.values()].map((p) => p.info);
  }
  /** How many peers are subscribed to `topic`. */
  subscriberCount(topic) {
    let count3 = 0;
    for (const peer of this._peers.values())
      if (peer.topics.has(topic))
        count3++;
    return count3;
  }
  /** Serves `method` (requests and notifications). Dispose the result to stop. */
  handle(method, handler) {
    if (this._handlers.has(method))
      throw new InvalidArgumentError(`a handler for '${method}' is already registered`);
    this._handlers.set(method, handler);
    return toDisposable(() => {
      if (this._handlers.get(method) === handler)
        this._handlers.delete(method);
    });
  }
  /** Sends `payload` to every peer subscribed to `topic`; returns how many. Encoded once for all. */
  publish(topic, payload, except) {
    let encoded;
    let count3 = 0;
    for (const peer of this._peers.values()) {
      if (!peer.topics.has(topic) || peer.info.id === except)
        continue;
      encoded ??= encodePayload({ t: "pub", topic, p: payload }, this._options.maxFrameBytes ?? defaultMaxFrameBytes);
      peer.rpc.sendEncoded(encoded, true);
      count3++;
    }
    return count3;
  }
  /** Sends to one peer on `topic`, subscribed or not. Returns false if no such peer. */
  send(peerId, topic, payload) {
    const peer = this._peers.get(peerId);
    if (!peer)
      return false;
    peer.rpc.send({ t: "pub", topic, p: payload }, true);
    return true;
  }
  async listen() {
    const { path } = this._options;
    if (process.platform !== "win32")
      await this._takePath(path);
    const net = (0, import_node_net2.createServer)((socket) => this._accept(socket));
    this._net = net;
    await new Promise((resolve2, reject) => {
      net.once("error", (err) => {
        this._releasePathLock();
        reject(err.code === "EADDRINUSE" ? new ServerRunningError(`Another server is listening on ${path}`, { cause: err }) : err);
      });
      net.listen(path, () => resolve2());
    });
    net.on("error", (err) => this._logger.error({ err }, "server error"));
    if (process.platform !== "win32") {
      (0, import_node_fs5.chmodSync)(path, 384);
      this._socketIno = (0, import_node_fs5.statSync)(path).ino;
    }
    this._logger.info({}, "listening");
  }
  /**
   * Makes `path` ours without ever removing a live server's socket. The server holds an OS lock on
   * `<path>.lock` for its lifetime (the kernel drops it if the process dies): a second server that
   * cannot take the lock knows a live one exists. One that takes it still probes the socket, in case
   * something else listens there, and only a refused or missing connection counts as stale.
   */
  async _takePath(path) {
    await ensureSecureDirectory((0, import_node_path3.dirname)(path));
    refuseNonSocket(path);
    this._lockFd = lockPathFile(path);
    const state = await probe(path);
    if (state === "live") {
      this._releasePathLock();
      throw new ServerRunningError(`Another process is accepting connections on ${path}; not touching it`, { data: { path } });
    }
    if (state === "stale") {
      this._logger.warn({}, "removing a stale socket file left by a server that exited");
      try {
        (0, import_node_fs5.unlinkSync)(path);
      } catch (err) {
        if (err.code !== "ENOENT")
          throw err;
      }
    }
  }
  _releasePathLock() {
    if (this._lockFd === void 0)
      return;
    try {
      if (this._socketIno !== void 0)
        unlinkIfSame(`${this._options.path}.lock`, this._lockFd);
      (0, import_node_fs5.closeSync)(this._lockFd);
    } catch {
    }
    this._lockFd = void 0;
  }
  _accept(socket) {
    if (this._closing) {
      socket.destroy();
      return;
    }
    this._sockets.add(socket);
    socket.once("close", () => this._sockets.delete(socket));
    socket.setNoDelay?.(true);
    const logger = this._logger.child({ remote: this._nextPeer });
    const channel = new FramedChannel(socket, {
      maxFrameBytes: this._options.maxFrameBytes,
      maxQueueBytes: this._options.maxQueueBytes,
      slowConsumer: this._options.slowConsumer,
      farewell: (error2) => refusal(error2),
      logger
    });
    const handshakeTimeoutMs = this._options.handshakeTimeoutMs ?? 5e3;
    const timer = setTimeout(() => {
      logger.warn({}, "closing connection: no hello within the handshake timeout");
      refuse(channel, new HandshakeTimeoutError(`No hello within ${handshakeTimeoutMs} ms (handshakeTimeoutMs)`));
    }, handshakeTimeoutMs);
    const hello = channel.onMessage((value) => {
      hello.dispose();
      clearTimeout(timer);
      const refused = this._checkHello(value);
      if (typeof refused === "object" && "error" in refused) {
        logger.warn({ code: errorCode(refused.error), reason: refused.error.message }, "refusing a connection");
        refuse(channel, refused.error, refused.extra);
        return;
      }
      this._admit(channel, refused.name, refused.pid);
    });
    channel.onClose(() => {
      clearTimeout(timer);
      hello.dispose();
    });
  }
  /** The hello's name and pid, or why the connection is refused (every refusal names its cause). */
  _checkHello(value) {
    const hello = typeof value === "object" && value !== null && value.t === "hello" ? value : void 0;
    if (hello && typeof hello.v === "number" && !supportedVersions.includes(hello.v)) {
      return { error: new ProtocolError(`Server speaks protocol ${supportedVersions.join(", ")}, client ${hello.v}`), extra: { versions: supportedVersions } };
    }
    if (hello && typeof hello.token !== "string")
      return { error: new AuthError("hello has no token: send the auth token as hello.token") };
    const envelope = parseEnvelope(value);
    if (typeof envelope === "string")
      return { error: new ProtocolError(`Malformed hello: ${envelope}`) };
    if (envelope.t !== "hello")
      return { error: new ProtocolError(`'${envelope.t}' before hello: the first message must be hello`) };
    if (!tokensMatch(envelope.token, this._options.auth.token)) {
      const hint = envelope.token !== envelope.token.trim() && tokensMatch(envelope.token.trim(), this._options.auth.token) ? ": the token has surrounding whitespace; send the 64 hex characters of the token file without its newline" : "";
      return { error: new AuthError(`Wrong auth token${hint}`) };
    }
    return { name: envelope.name, pid: envelope.pid };
  }
  _admit(channel, name2, pid) {
    const info = { id: String(this._nextPeer++), pid, name: name2, connectedAt: (/* @__PURE__ */ new Date()).toISOString() };
    const logger = this._logger.child({ peer: info.id, name: name2, pid });
    const topics2 = /* @__PURE__ */ new Set();
    const rpc = new RpcConnection(channel, {
      request: (method, params, signal) => {
        const handler = this._handlers.get(method);
        if (!handler)
          throw new MethodNotFoundError(`No handler for method '${method}'`, { data: { method } });
        return handler(params, new HandlerContext(info, signal));
      },
      notify: (method, params) => {
        const handler = this._handlers.get(method);
        if (!handler)
          return logger.debug({ method }, "notification with no handler");
        const result = handler(params, { peer: info, signal: notificationSignal });
        if (result instanceof Promise)
          result.catch((err) => logger.warn({ err, method }, "notification handler failed"));
      },
      publish: (topic, payload) => void this.publish(topic, payload, info.id),
      subscribe: (topic) => void topics2.add(topic),
      unsubscribe: (topic) => void topics2.delete(topic)
    }, logger, { heartbeat: this._options.heartbeat, errorStacks: this._options.errorStacks });
    this._peers.set(info.id, { info, rpc, topics: topics2 });
    rpc.onDidClose(({ reason }) => {
      this._peers.delete(info.id);
      logger.info({ reason }, "peer disconnected");
      this._onDidDisconnect.fire({ ...info, reason });
    });
    channel.send({ t: "welcome", v: supportedVersions[0], id: info.id });
    logger.info({}, "peer connected");
    this._onDidConnect.fire(info);
  }
  /** Stops accepting, closes every connection, removes the socket file if it is still ours. */
  close() {
    this._closing ??= (async () => {
      const net = this._net;
      const closed = net ? new Promise((resolve2) => net.close(() => resolve2())) : Promise.resolve();
      for (const peer of this._peers.values())
        peer.rpc.close();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1e3).unref())]);
      for (const socket of this._sockets)
        socket.destroy();
      await closed;
      this._removeSocketFile();
      this._releasePathLock();
      super.dispose();
    })();
    return this._closing;
  }
  /** close(), started synchronously (for `context.subscriptions` and other dispose() owners). */
  dispose() {
    void this.close();
  }
  _removeSocketFile() {
    if (process.platform === "win32" || this._socketIno === void 0)
      return;
    try {
      if ((0, import_node_fs5.statSync)(this._options.path).ino === this._socketIno)
        (0, import_node_fs5.unlinkSync)(this._options.path);
    } catch {
    }
  }
};
function refuseNonSocket(path) {
  let stats;
  try {
    stats = (0, import_node_fs5.lstatSync)(path);
  } catch (err) {
    if (err.code === "ENOENT")
      return;
    throw err;
  }
  if (stats.isSocket())
    return;
  const kind = stats.isFile() ? "a regular file" : stats.isDirectory() ? "a directory" : stats.isSymbolicLink() ? "a symbolic link" : "not a socket";
  throw new UnsafePathError(`Cannot listen on ${path}: it is ${kind}, not a socket; only a leftover socket is replaced. Remove it or choose another path`, { data: { path } });
}
function lockPathFile(path) {
  const lockPath = `${path}.lock`;
  for (let attempt = 0; ; attempt++) {
    const fd = (0, import_node_fs5.openSync)(lockPath, "a+", 384);
    if (!tryLockFd(fd)) {
      (0, import_node_fs5.closeSync)(fd);
      throw new ServerRunningError(`Another server owns ${path} (its lock file ${lockPath} is held); not touching it`, { data: { path } });
    }
    if (isSameFile(lockPath, fd) || attempt >= 10)
      return fd;
    (0, import_node_fs5.closeSync)(fd);
  }
}
function isSameFile(path, fd) {
  try {
    return (0, import_node_fs5.statSync)(path).ino === (0, import_node_fs5.fstatSync)(fd).ino;
  } catch {
    return false;
  }
}
function unlinkIfSame(path, fd) {
  try {
    if (isSameFile(path, fd))
      (0, import_node_fs5.unlinkSync)(path);
  } catch {
  }
}
function removeStaleSocketFiles(dir, match) {
  if (process.platform === "win32")
    return 0;
  let names;
  try {
    names = (0, import_node_fs5.readdirSync)(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name2 of names) {
    if (!name2.endsWith(".sock.lock"))
      continue;
    const socketFile = name2.slice(0, -".lock".length);
    if (!match(socketFile))
      continue;
    const lockPath = (0, import_node_path3.join)(dir, name2);
    let fd;
    try {
      fd = (0, import_node_fs5.openSync)(lockPath, "r+");
    } catch {
      continue;
    }
    try {
      if (!tryLockFd(fd) || !isSameFile(lockPath, fd))
        continue;
      try {
        if ((0, import_node_fs5.lstatSync)((0, import_node_path3.join)(dir, socketFile)).isSocket())
          (0, import_node_fs5.unlinkSync)((0, import_node_path3.join)(dir, socketFile));
      } catch {
      }
      (0, import_node_fs5.unlinkSync)(lockPath);
      removed++;
    } catch {
    } finally {
      (0, import_node_fs5.closeSync)(fd);
    }
  }
  return removed;
}
function probe(path, timeoutMs = 1e3) {
  return new Promise((resolve2) => {
    const socket = (0, import_node_net2.createConnection)(path);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve2("live");
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve2("live");
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      resolve2(err.code === "ENOENT" ? "missing" : err.code === "ECONNREFUSED" || err.code === "ENOTSOCK" ? "stale" : "live");
    });
  });
}

// ../../packages/ipc/dist/client.js
var import_node_net3 = require("node:net");
var import_node_path4 = require("node:path");
var IpcClient = class extends Disposable {
  _options;
  _onDidChangeConnection = this._register(new Emitter());
  onDidChangeConnection = this._onDidChangeConnection.event;
  _logger;
  _topics = /* @__PURE__ */ new Map();
  _backoff;
  _rpc;
  _state = "connecting";
  _peerId;
  _retryTimer;
  _waiting = /* @__PURE__ */ new Set();
  _closing;
  constructor(_options) {
    super();
    this._options = _options;
    this._logger = (_options.logger ?? noopLogger).child({ pkg: "ipc", role: "client", path: _options.path });
    const reconnect = _options.reconnect ?? {};
    this._backoff = reconnect === false ? void 0 : createBackoff({ initialMs: reconnect.initialMs ?? 50, maxMs: reconnect.maxMs ?? 5e3 });
    if (_options.signal)
      this._register(onAbort(_options.signal, () => void this.close()));
  }
  get state() {
    return this._state;
  }
  /** The id the server gave this connection. */
  get peerId() {
    return this._peerId;
  }
  /** First connection: resolves when connected; rejects on refusal (EAUTH, EPROTOCOL) or when no server answers. */
  async connect() {
    throwIfAborted(this._options.signal);
    await this._attempt();
  }
  async _attempt() {
    if (process.platform !== "win32")
      checkSocketDirectory(this._options.path);
    const socket = await openSocket(this._options.path);
    socket.setNoDelay?.(true);
    const channel = new FramedChannel(socket, {
      maxFrameBytes: this._options.maxFrameBytes,
      maxQueueBytes: this._options.maxQueueBytes,
      farewell: (error2) => refusal(error2),
      logger: this._logger
    });
    const id = await handshake(channel, this._options);
    if (this._closing) {
      channel.destroy();
      return;
    }
    const rpc = new RpcConnection(channel, {
      publish: (topic, payload) => {
        for (const listener of [...this._topics.get(topic) ?? []]) {
          try {
            listener(payload);
          } catch (err) {
            this._logger.warn({ err, topic }, "subscriber threw");
          }
        }
      }
    }, this._logger, { heartbeat: this._options.heartbeat });
    this._rpc = rpc;
    this._peerId = id;
    for (const topic of this._topics.keys())
      rpc.send({ t: "sub", topic });
    this._backoff?.reset();
    rpc.onDidClose(({ reason }) => this._onLost(rpc, reason));
    this._setState("connected");
    for (const wake of [...this._waiting])
      wake();
  }
  _onLost(rpc, reason) {
    if (this._rpc !== rpc)
      return;
    this._rpc = void 0;
    if (this._closing)
      return;
    this._logger.warn({ reason }, "connection lost");
    if (!this._backoff) {
      this._setState("closed");
      for (const wake of [...this._waiting])
        wake();
      return;
    }
    this._setState("reconnecting");
    this._scheduleRetry();
  }
  _scheduleRetry() {
    const delay = this._backoff.next();
    this._retryTimer = setTimeout(() => {
      this._retryTimer = void 0;
      if (this._closing)
        return;
      this._attempt().catch((err) => {
        if (this._closing)
          return;
        if (err instanceof AuthError || err instanceof ProtocolError) {
          this._logger.error({ err }, "server refused the connection; giving up");
          this._setState("closed");
          for (const wake of [...this._waiting])
            wake();
          return;
        }
        this._logger.debug({ err, attempt: this._backoff.attempt }, "reconnect failed");
        this._scheduleRetry();
      });
    }, delay);
  }
  _setState(state) {
    if (this._state === state)
      return;
    this._state = state;
    this._onDidChangeConnection.fire({ state });
  }
  /**
   * Sends a request and resolves with the result, or rejects with the handler's error (same class
   * where known), ECONNLOST, EREQUESTTIMEOUT or the abort reason. While reconnecting, the request
   * waits for the connection (within its timeout).
   */
  request(method, params, options = {}) {
    const defaultTimeoutMs = this._options.requestTimeoutMs ?? 3e4;
    if (this._rpc && !options.signal?.aborted) {
      return this._rpc.request(method, params, { signal: options.signal, timeoutMs: options.timeoutMs, defaultTimeoutMs });
    }
    return this._requestWhenConnected(method, params, options, defaultTimeoutMs);
  }
  async _requestWhenConnected(method, params, options, defaultTimeoutMs) {
    throwIfAborted(options.signal);
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    const bounded = timeoutMs > 0 && Number.isFinite(timeoutMs);
    if (!this._rpc)
      await this._waitForConnection(method, bounded ? timeoutMs : void 0, options.signal);
    const remaining = bounded ? Math.max(1, timeoutMs - (performance.now() - started)) : 0;
    return await this._rpc.request(method, params, { signal: options.signal, timeoutMs: remaining, defaultTimeoutMs });
  }
  _waitForConnection(method, timeoutMs, signal) {
    if (this._closing || this._state === "closed") {
      return Promise.reject(new ConnectionLostError(`Cannot send '${method}': the client is closed`));
    }
    return new Promise((resolve2, reject) => {
      const done = () => {
        this._waiting.delete(wake);
        clearTimeout(timer);
        abort.dispose();
      };
      const wake = () => {
        done();
        if (this._rpc)
          resolve2();
        else
          reject(new ConnectionLostError(`Cannot send '${method}': the client is closed`));
      };
      const timer = timeoutMs === void 0 ? void 0 : setTimeout(() => {
        done();
        reject(new RequestTimeoutError(`Request '${method}' timed out after ${timeoutMs} ms waiting for the connection`));
      }, timeoutMs);
      const abort = onAbort(signal, (reason) => {
        done();
        reject(reason);
      });
      this._waiting.add(wake);
    });
  }
  /**
   * Resolves when the connection can take more without buffering. A producer sending many
   * notifications awaits it now and then, so its queue stays under maxQueueBytes.
   */
  whenWritable() {
    return this._rpc?.channel.whenWritable() ?? Promise.resolve();
  }
  /** Fire-and-forget to the server. Dropped (with a debug log) while disconnected. */
  notify(method, params) {
    if (!this._rpc)
      return this._logger.debug({ method }, "notification dropped: not connected");
    this._rpc.notify(method, params);
  }
  /** Publishes to the other subscribers of `topic`, through the server. */
  publish(topic, payload) {
    if (!this._rpc)
      return this._logger.debug({ topic }, "publication dropped: not connected");
    this._rpc.send({ t: "pub", topic, p: payload });
  }
  /** Receives messages on `topic` (published, or sent to this peer). Kept across reconnects. */
  subscribe(topic, listener) {
    let listeners = this._topics.get(topic);
    if (!listeners) {
      listeners = /* @__PURE__ */ new Set();
      this._topics.set(topic, listeners);
      this._rpc?.send({ t: "sub", topic });
    }
    listeners.add(listener);
    return toDisposable(() => {
      const set = this._topics.get(topic);
      if (!set?.delete(listener) || set.size > 0)
        return;
      this._topics.delete(topic);
      if (this._rpc && !this._rpc.isClosed)
        this._rpc.send({ t: "unsub", topic });
    });
  }
  close() {
    this._closing ??= (async () => {
      if (this._retryTimer)
        clearTimeout(this._retryTimer);
      const rpc = this._rpc;
      this._rpc = void 0;
      if (rpc) {
        const closed = new Promise((resolve2) => rpc.onDidClose(() => resolve2()));
        rpc.close();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 1e3).unref())]);
        rpc.channel.destroy();
      }
      this._setState("closed");
      for (const wake of [...this._waiting])
        wake();
      super.dispose();
    })();
    return this._closing;
  }
  /** close(), started synchronously (for `context.subscriptions` and other dispose() owners). */
  dispose() {
    void this.close();
  }
};
function openSocket(path) {
  return new Promise((resolve2, reject) => {
    const socket = (0, import_node_net3.createConnection)(path);
    const onError = (err) => {
      socket.destroy();
      reject(err.code === "ENOENT" || err.code === "ECONNREFUSED" ? new ConnectionLostError(`No server is accepting on ${path} (${err.code})`, { cause: err }) : err);
    };
    socket.once("error", onError);
    socket.once("connect", () => {
      socket.off("error", onError);
      resolve2(socket);
    });
  });
}
function handshake(channel, options) {
  return new Promise((resolve2, reject) => {
    const timer = setTimeout(() => {
      channel.destroy();
      reject(new ConnectionLostError(`Server at ${options.path} did not answer the handshake`));
    }, 5e3);
    const finish = () => {
      clearTimeout(timer);
      onMessage.dispose();
      onClose.dispose();
    };
    const onMessage = channel.onMessage((value) => {
      finish();
      const envelope = parseEnvelope(value);
      if (typeof envelope !== "string" && envelope.t === "welcome")
        return resolve2(envelope.id);
      channel.destroy();
      if (typeof envelope !== "string" && envelope.t === "refuse") {
        const message = `Server at ${options.path} refused the connection (${envelope.code}): ${envelope.message}`;
        const data = { code: envelope.code, versions: envelope.versions };
        return reject(envelope.code === "EAUTH" ? new AuthError(message, { data }) : new ProtocolError(message, { data }));
      }
      reject(new ProtocolError(`Unexpected handshake answer from ${options.path}`));
    });
    const onClose = channel.onClose(({ reason }) => {
      finish();
      reject(new ConnectionLostError(`Connection to ${options.path} closed during the handshake: ${reason}`));
    });
    channel.send({ t: "hello", v: protocolVersion, name: options.name ?? "", pid: process.pid, token: options.auth.token });
  });
}
function checkSocketDirectory(path) {
  try {
    checkSecureDirectorySync((0, import_node_path4.dirname)(path));
  } catch (err) {
    if (err.code !== "ENOENT")
      throw err;
  }
}

// ../../packages/lock/dist/contender.js
var import_node_os2 = require("node:os");

// ../../packages/lock/dist/beacon.js
var import_node_fs7 = require("node:fs");
var import_node_net4 = require("node:net");
var import_node_path6 = require("node:path");

// ../../packages/lock/dist/leaseFiles.js
var import_node_crypto4 = require("node:crypto");
var import_node_fs6 = require("node:fs");
var import_node_path5 = require("node:path");
var ensuredDirs = /* @__PURE__ */ new Set();
var slotPattern = /^(\d{15})\.(slot|term|renew)$/;
var tempPattern = /^\.claim-.*\.tmp$/;
var beaconPattern = /^(\d+)\.beacon$/;
var staleTempMs = 6e4;
function slotName(index) {
  return `${String(index).padStart(15, "0")}.slot`;
}
var faultPoints = {};
function errno(err) {
  return err?.code;
}
var LeaseFiles = class {
  dir;
  _logger;
  _durable;
  _reported = /* @__PURE__ */ new Set();
  /** Slot index -> the term it belongs to. A slot's content never changes once linked. */
  _termOf = /* @__PURE__ */ new Map();
  /** Slot index -> its file name, for the slots of the last scan (legacy names included). */
  _files = /* @__PURE__ */ new Map();
  _watched;
  constructor(dir, _logger, _durable) {
    this.dir = dir;
    this._logger = _logger;
    this._durable = _durable;
  }
  /** Creates the name's directory (0700); a file in its place (an old or foreign lock file) is moved aside. */
  async ensure() {
    if (ensuredDirs.has(this.dir))
      return;
    try {
      const stats = (0, import_node_fs6.statSync)(this.dir);
      if (!stats.isDirectory()) {
        const aside = `${this.dir}.corrupt-${Date.now()}`;
        (0, import_node_fs6.renameSync)(this.dir, aside);
        this._logger.warn({ path: this.dir, movedTo: aside }, "lock path held a file, not a lock directory; moved it aside");
      }
    } catch (err) {
      if (errno(err) !== "ENOENT")
        throw err;
    }
    await ensureSecureDirectory((0, import_node_path5.dirname)(this.dir));
    await ensureSecureDirectory(this.dir);
    ensuredDirs.add(this.dir);
  }
  /** Forget that the directory was checked (it vanished): the next ensure() recreates it. */
  invalidate() {
    ensuredDirs.delete(this.dir);
  }
  scan() {
    let names;
    try {
      names = (0, import_node_fs6.readdirSync)(this.dir);
    } catch (err) {
      if (errno(err) === "ENOENT")
        return { latest: 0, term: 0, slots: [], beacons: [] };
      throw err;
    }
    let latest = 0;
    const slots = [];
    const beacons = [];
    const files = /* @__PURE__ */ new Map();
    for (const file of names) {
      const match = slotPattern.exec(file);
      if (!match) {
        const beacon = beaconPattern.exec(file);
        if (beacon)
          beacons.push({ index: Number(beacon[1]), file });
        else if (!tempPattern.test(file))
          this._reportForeign(file);
        continue;
      }
      const index = Number(match[1]);
      if (!Number.isSafeInteger(index) || index <= 0 || files.has(index)) {
        this._reportForeign(file);
        continue;
      }
      files.set(index, file);
      slots.push({ index, file });
      if (index > latest)
        latest = index;
    }
    this._files = files;
    return { latest, term: latest === 0 ? 0 : this._termAt(latest), slots, beacons };
  }
  /** The term slot `index` belongs to: its own index for a term, the renewed term for a renewal. */
  _termAt(index) {
    const known = this._termOf.get(index);
    if (known !== void 0)
      return known;
    let term = index;
    try {
      const content = JSON.parse((0, import_node_fs6.readFileSync)((0, import_node_path5.join)(this.dir, this._fileOf(index)), "utf8"));
      if (content.kind === "renew" && Number.isSafeInteger(content.term) && content.term > 0 && content.term < index) {
        term = content.term;
      }
    } catch {
    }
    if (this._termOf.size > 256)
      this._termOf.clear();
    this._termOf.set(index, term);
    return term;
  }
  _fileOf(index) {
    return this._files.get(index) ?? slotName(index);
  }
  _reportForeign(file) {
    if (this._reported.has(file))
      return;
    this._reported.add(file);
    this._logger.warn({ dir: this.dir, file }, "ignoring a file that is not a lock slot");
  }
  /** The holder record of term `token`; undefined (and reported once) when missing or unreadable. */
  readTerm(token) {
    const file = (0, import_node_path5.join)(this.dir, this._fileOf(token));
    let text;
    try {
      text = (0, import_node_fs6.readFileSync)(file, "utf8");
    } catch (err) {
      if (errno(err) !== "ENOENT")
        this._logger.warn({ err, file }, "could not read the term record");
      return void 0;
    }
    try {
      const record3 = JSON.parse(text);
      if (typeof record3.id !== "string" || typeof record3.pid !== "number")
        throw new Error("missing id or pid");
      return {
        token,
        id: record3.id,
        pid: record3.pid,
        hostname: typeof record3.hostname === "string" ? record3.hostname : "",
        metadata: record3.metadata,
        since: typeof record3.since === "string" ? record3.since : ""
      };
    } catch (err) {
      const key = `corrupt:${token}`;
      if (!this._reported.has(key)) {
        this._reported.add(key);
        this._logger.warn({ err, file, bytes: text.length }, "term record is corrupt; the term still ends by release, death or lease expiry");
      }
      return void 0;
    }
  }
  /**
   * Whether the holder of `term` has let go (died or released): the OS lock on its term file is
   * free. The descriptor is kept open between calls for the same term.
   */
  isReleased(term) {
    if (this._watched?.term !== term) {
      this._closeWatched();
      let fd2;
      try {
        fd2 = (0, import_node_fs6.openSync)((0, import_node_path5.join)(this.dir, this._fileOf(term)), "r+");
      } catch (err) {
        if (errno(err) !== "ENOENT")
          this._logger.debug({ err, term }, "cannot probe the term lock");
      }
      this._watched = { term, fd: fd2 };
    }
    const fd = this._watched.fd;
    if (fd === void 0)
      return false;
    if (!tryLockFd(fd))
      return false;
    unlockFd(fd);
    return true;
  }
  _closeWatched() {
    const fd = this._watched?.fd;
    this._watched = void 0;
    if (fd !== void 0)
      closeQuietly(fd);
  }
  /**
   * Tries to start a term at slot `index`. Returns the locked term file's descriptor, to keep open
   * for the whole term, or undefined when another process created the slot first. `onLinked` runs
   * as soon as the slot is visible, before the wait for the directory's fsync.
   */
  async claim(index, record3, onLinked) {
    const fault = faultPoints.beforeClaim;
    if (fault)
      await fault(index);
    const fd = this._link(index, { kind: "term", ...record3 }, true);
    if (fd === void 0)
      return void 0;
    this._termOf.set(index, index);
    onLinked?.();
    if (this._durable) {
      try {
        await syncDirectory(this.dir);
      } catch (err) {
        closeQuietly(fd);
        throw err;
      }
    }
    return fd;
  }
  /**
   * Tries to record a renewal of term `term` at slot `index`; false when another process created
   * that slot first (the term was taken over).
   */
  renew(index, term) {
    const fd = this._link(index, { kind: "renew", term }, false);
    if (fd === void 0)
      return false;
    closeQuietly(fd);
    this._termOf.set(index, term);
    return true;
  }
  /**
   * Creates slot `index` with `content`: a complete temp file (OS-locked first when `lock`),
   * linked into place under the index's only name. Returns the temp file's descriptor, or
   * undefined when the slot exists or is not the latest.
   */
  _link(index, content, lock) {
    const temp = (0, import_node_path5.join)(this.dir, `.claim-${process.pid}-${(0, import_node_crypto4.randomBytes)(6).toString("hex")}.tmp`);
    const target2 = (0, import_node_path5.join)(this.dir, slotName(index));
    let fd;
    try {
      fd = (0, import_node_fs6.openSync)(temp, "wx+", 384);
    } catch (err) {
      if (errno(err) === "ENOENT")
        return void 0;
      throw err;
    }
    let linked = false;
    try {
      writeFully(fd, JSON.stringify(content) + "\n");
      if (lock && !tryLockFd(fd))
        throw new Error(`fresh slot file ${temp} is already locked`);
      try {
        (0, import_node_fs6.linkSync)(temp, target2);
        linked = true;
      } catch (err) {
        if (errno(err) === "EEXIST" || errno(err) === "ENOENT")
          return void 0;
        throw err;
      }
    } finally {
      unlinkQuietly(temp);
      if (!linked)
        closeQuietly(fd);
    }
    if (!this._isLatest(index, target2)) {
      closeQuietly(fd);
      return void 0;
    }
    return fd;
  }
  /**
   * After creating slot `index`: it must be the latest. Slots below the latest are pruned, so a
   * process that was paused for long can recreate a pruned slot; then a higher slot exists, and
   * the slot it made is removed again and means nothing.
   */
  _isLatest(index, file) {
    const { latest } = this.scan();
    if (latest === index)
      return true;
    try {
      (0, import_node_fs6.unlinkSync)(file);
    } catch {
    }
    return false;
  }
  /**
   * Removes slots of older terms and old renewals of the current one; keeps the term slot and the
   * latest slots. Every slot above `term` is a renewal of it: the holder renews at the next index
   * only, so no other process created one in between.
   */
  prune(term, scan, sweepTemp = false) {
    const keepFrom = scan.latest - 2;
    for (const slot of scan.slots) {
      const old = slot.index < term || slot.index > term && slot.index < keepFrom;
      if (old)
        unlinkQuietly((0, import_node_path5.join)(this.dir, slot.file));
    }
    for (const beacon of scan.beacons)
      if (beacon.index < term)
        unlinkQuietly((0, import_node_path5.join)(this.dir, beacon.file));
    if (!sweepTemp)
      return;
    let names;
    try {
      names = (0, import_node_fs6.readdirSync)(this.dir);
    } catch {
      return;
    }
    for (const name2 of names) {
      if (!tempPattern.test(name2))
        continue;
      const file = (0, import_node_path5.join)(this.dir, name2);
      try {
        if (Date.now() - (0, import_node_fs6.statSync)(file).mtimeMs > staleTempMs)
          (0, import_node_fs6.unlinkSync)(file);
      } catch {
      }
    }
  }
  close() {
    this._closeWatched();
  }
};
function writeFully(fd, text) {
  const data = Buffer.from(text);
  for (let at = 0; at < data.length; )
    at += (0, import_node_fs6.writeSync)(fd, data, at);
}
function closeQuietly(fd) {
  try {
    (0, import_node_fs6.closeSync)(fd);
  } catch {
  }
}
function unlinkQuietly(file) {
  try {
    (0, import_node_fs6.unlinkSync)(file);
  } catch {
  }
}

// ../../packages/lock/dist/beacon.js
function beaconPath(lockDir, term) {
  if (process.platform === "win32")
    return void 0;
  const path = (0, import_node_path6.join)(lockDir, `${term}.beacon`);
  return Buffer.byteLength(path) <= maxSocketPathBytes() ? path : void 0;
}
var maxQueuedBytes = 1024;
var BeaconServer = class {
  path;
  _logger;
  _server;
  _sockets = /* @__PURE__ */ new Set();
  _lastBeat = "";
  _closed = false;
  constructor(path, _logger) {
    this.path = path;
    this._logger = _logger;
    unlinkQuietly(path);
    this._server = (0, import_node_net4.createServer)((socket) => {
      if (this._closed) {
        socket.destroy();
        return;
      }
      this._sockets.add(socket);
      socket.on("error", () => socket.destroy());
      socket.on("close", () => this._sockets.delete(socket));
      socket.resume();
      if (this._lastBeat)
        socket.write(this._lastBeat);
    });
    this._server.on("error", (err) => {
      this._logger.debug({ err, path }, "beacon unavailable; waiters poll instead");
      this.close();
    });
    this._server.listen(path, () => {
      try {
        if (!this._closed)
          (0, import_node_fs7.chmodSync)(path, 384);
      } catch {
      }
    });
  }
  /** Tells every waiter that slot `index` was linked. */
  beat(index) {
    this._lastBeat = `${index}
`;
    for (const socket of this._sockets) {
      if (socket.writableLength < maxQueuedBytes)
        socket.write(this._lastBeat);
    }
  }
  /** Closes the socket and every connection (waiters see the end at once) and removes the path. */
  close() {
    if (this._closed)
      return;
    this._closed = true;
    this._server.close();
    for (const socket of this._sockets)
      socket.destroy();
    this._sockets.clear();
    unlinkQuietly(this.path);
  }
};
var BeaconWatch = class {
  term;
  _onBeat;
  _onEnd;
  _socket;
  _connected = false;
  _ended = false;
  _partial = "";
  constructor(term, path, _onBeat, _onEnd) {
    this.term = term;
    this._onBeat = _onBeat;
    this._onEnd = _onEnd;
    this._socket = (0, import_node_net4.createConnection)(path);
    this._socket.setEncoding("utf8");
    this._socket.on("connect", () => {
      this._connected = true;
    });
    this._socket.on("data", (chunk) => this._receive(chunk));
    this._socket.on("error", () => this._socket.destroy());
    this._socket.on("close", () => {
      if (this._ended)
        return;
      this._ended = true;
      this._onEnd(this._connected);
    });
  }
  get connected() {
    return this._connected && !this._ended;
  }
  _receive(chunk) {
    const lines = (this._partial + chunk).split("\n");
    this._partial = (lines.pop() ?? "").slice(0, 32);
    let highest = 0;
    for (const line of lines) {
      const index = Number(line);
      if (Number.isSafeInteger(index) && index > highest)
        highest = index;
    }
    if (highest > 0)
      this._onBeat(highest);
  }
  /** Closes the connection without reporting its end. */
  dispose() {
    this._ended = true;
    this._socket.destroy();
  }
};

// ../../packages/lock/dist/contender.js
var LeaseContender = class extends Disposable {
  _options;
  _files;
  _onDidAcquire = this._register(new Emitter());
  onDidAcquire = this._onDidAcquire.event;
  _onDidLose = this._register(new Emitter());
  onDidLose = this._onDidLose.event;
  _onDidChangeHolder = this._register(new Emitter());
  /** The holder seen on disk changed (a new term), including this process. */
  onDidChangeHolder = this._onDidChangeHolder.event;
  _held;
  _holder;
  _lastError;
  _observed;
  _contending = false;
  /** After resigning: leave the resigned term to the other waiters for a while. */
  _holdoff;
  _started = false;
  _closed = false;
  _tickChain = Promise.resolve();
  _tickTimer = this._register(new MutableDisposable());
  _expiryTimer = this._register(new MutableDisposable());
  _margin;
  /** The holder's beacon, while this process holds the name. */
  _beacon;
  /** This follower's connection to the current holder's beacon. */
  _watch;
  /** After a failed connection: when to try the term's beacon again. */
  _watchRetry;
  constructor(_options) {
    super();
    this._options = _options;
    this._files = new LeaseFiles(_options.lockDir, _options.logger, _options.durable);
    this._margin = Math.max(1, Math.min(100, _options.leaseMs * 0.05));
  }
  get held() {
    return this._held;
  }
  /**
   * Whether this process holds the name and its lease can still be trusted, by the monotonic
   * clock. When the lease has run out (the process was paused or blocked past it),
   * ends the term now, synchronously: the loss is reported the moment any code looks, not on a
   * later timer turn (after a pause, I/O callbacks run before timers).
   */
  checkLease() {
    const held = this._held;
    if (!held)
      return false;
    if (this._options.clock.now() < held.validUntil)
      return true;
    this._lose(held, "lost", "lease expired without renewal (process paused or blocked)");
    return false;
  }
  get holder() {
    return this._holder;
  }
  get lockDir() {
    return this._options.lockDir;
  }
  /** Why the last tick failed (unreadable or unwritable lock directory), until one succeeds. */
  get lastError() {
    return this._lastError;
  }
  /** Prepares the directory and runs the first tick (claiming when the name is free). */
  async start(contend) {
    if (this._started)
      return;
    this._started = true;
    this._contending = contend;
    ensureOsLock();
    await this._files.ensure();
    await this._runTick();
  }
  /** Whether to claim when the name becomes free. */
  setContending(contend) {
    this._contending = contend;
  }
  /**
   * Does not claim the term it is about to give up, for `holdoffMs`, so other waiters take it
   * first; once any other term begins, the holdoff ends.
   */
  holdOff(holdoffMs) {
    if (this._held)
      this._holdoff = { term: this._held.token, until: this._options.clock.now() + holdoffMs };
  }
  /** Runs one observation or renewal now (serialized with the timer's ticks). */
  tickNow() {
    return this._runTick();
  }
  _runTick() {
    this._tickChain = this._tickChain.then(() => this._tick());
    return this._tickChain;
  }
  _schedule(ms, callback = () => void this._runTick()) {
    if (this._closed)
      return;
    this._tickTimer.value = this._options.clock.setTimeout(callback, ms);
  }
  /**
   * A follower connected to the holder's beacon hears of a death or release from the connection's
   * end and of each renewal from a beat: it needs to look at the directory only once the lease
   * could have run out since the last renewal it saw (a paused holder). Otherwise it polls.
   */
  _scheduleFollower() {
    const { clock, leaseMs, pollMs } = this._options;
    const observed = this._observed;
    const watch2 = this._watch;
    if (!watch2?.connected || observed?.term !== watch2.term) {
      this._schedule(pollMs);
      return;
    }
    this._schedule(Math.max(pollMs, observed.at + leaseMs - clock.now()), () => {
      const current = this._observed;
      if (this._watch === watch2 && watch2.connected && current?.term === watch2.term && clock.now() < current.at + leaseMs)
        this._scheduleFollower();
      else
        void this._runTick();
    });
  }
  async _tick() {
    if (this._closed)
      return;
    try {
      if (this._held)
        await this._renew(this._held);
      else {
        await this._files.ensure();
        await this._observe();
      }
      this._lastError = void 0;
    } catch (err) {
      this._lastError = err;
      if (err.code === "ENOENT")
        this._files.invalidate();
      this._options.logger.warn({ err, dir: this._options.lockDir }, "lock tick failed; retrying");
    }
    if (this._closed)
      return;
    if (this._held)
      this._schedule(this._renewIntervalMs());
    else
      this._scheduleFollower();
  }
  _renewIntervalMs() {
    return Math.max(this._options.pollMs, this._options.leaseMs / 4);
  }
  async _observe() {
    const { clock, leaseMs } = this._options;
    const scan = this._files.scan();
    const now = clock.now();
    if (!this._observed || this._observed.latest !== scan.latest) {
      this._observed = { latest: scan.latest, at: now, term: scan.term };
    }
    if (scan.term !== this._holder?.token || scan.term === 0)
      this._updateHolder(scan.term);
    if (this._holdoff && (this._holdoff.term !== scan.term || now >= this._holdoff.until))
      this._holdoff = void 0;
    if (this._contending && !this._holdoff) {
      let why;
      if (scan.term === 0)
        why = "never held";
      else if (this._files.isReleased(scan.term))
        why = "holder released or died";
      else if (now - this._observed.at >= leaseMs)
        why = `no renewal for ${Math.round(now - this._observed.at)} ms (lease ${leaseMs} ms)`;
      if (why) {
        await this._claim(scan, why);
        return;
      }
    }
    this._followBeacon(scan.term, now);
  }
  _followBeacon(term, now) {
    if (this._watch && this._watch.term !== term)
      this._closeWatch();
    if (this._watch || term === 0)
      return;
    const retry2 = this._watchRetry;
    if (retry2?.term === term && now < retry2.at)
      return;
    const path = beaconPath(this._options.lockDir, term);
    if (!path)
      return;
    const watch2 = new BeaconWatch(term, path, (index) => {
      const observed = this._observed;
      if (!this._held && observed?.term === term && index > observed.latest) {
        this._observed = { latest: index, at: this._options.clock.now(), term };
      }
    }, (wasConnected) => {
      if (this._watch !== watch2)
        return;
      this._watch = void 0;
      if (!wasConnected) {
        const failures = retry2?.term === term ? retry2.failures + 1 : 1;
        const delay = Math.min(this._options.leaseMs / 4, 10 * 2 ** failures);
        this._watchRetry = { term, at: this._options.clock.now() + delay, failures };
        if (!this._closed && !this._held && delay < this._options.pollMs)
          this._schedule(delay);
        return;
      }
      if (!this._closed && !this._held)
        void this._runTick();
    });
    this._watch = watch2;
  }
  _closeWatch() {
    this._watch?.dispose();
    this._watch = void 0;
  }
  _updateHolder(term) {
    const record3 = term === 0 ? void 0 : this._files.readTerm(term);
    const previous = this._holder;
    this._holder = record3 ?? (term === 0 ? void 0 : { token: term, id: "unknown", pid: 0, hostname: "", since: "" });
    if (previous?.token !== this._holder?.token)
      this._onDidChangeHolder.fire(this._holder);
  }
  async _claim(scan, why) {
    const { clock, leaseMs, id, metadata, logger } = this._options;
    const index = scan.latest + 1;
    const record3 = { token: index, id, pid: process.pid, hostname: (0, import_node_os2.hostname)(), metadata, since: (/* @__PURE__ */ new Date()).toISOString() };
    const startedAt = clock.now();
    let beacon;
    let fd;
    try {
      fd = await this._files.claim(index, record3, () => {
        const path = beaconPath(this._options.lockDir, index);
        if (path)
          beacon = new BeaconServer(path, logger);
      });
    } catch (err) {
      beacon?.close();
      throw err;
    }
    if (fd === void 0) {
      logger.debug({ fencingToken: index }, "another process claimed the slot first");
      const after = this._files.scan();
      if (after.term !== this._holder?.token)
        this._updateHolder(after.term);
      if (!this._closed)
        this._followBeacon(after.term, clock.now());
      return;
    }
    if (this._closed || !this._contending) {
      closeQuietly(fd);
      beacon?.close();
      return;
    }
    const held = { token: index, record: record3, validUntil: startedAt + leaseMs - this._margin, fd, latest: index, renewals: 0 };
    this._held = held;
    this._holder = record3;
    this._armExpiry(held);
    this._closeWatch();
    this._beacon = beacon;
    logger.info({ fencingToken: index, previous: scan.term || void 0, why }, "acquired");
    this._onDidChangeHolder.fire(record3);
    this._onDidAcquire.fire(held);
    if (scan.slots.length >= 16)
      this._files.prune(index, this._files.scan(), true);
  }
  async _renew(held) {
    const { clock, leaseMs } = this._options;
    const startedAt = clock.now();
    if (startedAt >= held.validUntil) {
      this._lose(held, "lost", "lease expired before it could be renewed (process paused or blocked)");
      return;
    }
    const fault = faultPoints.beforeRenew;
    if (fault) {
      await fault(held.latest + 1);
      if (this._held !== held)
        return;
    }
    let renewed;
    try {
      renewed = this._files.renew(held.latest + 1, held.token);
    } catch (err) {
      this._options.logger.warn({ err, fencingToken: held.token }, "could not renew the lease; will retry");
      return;
    }
    if (this._held !== held)
      return;
    if (!renewed) {
      this._lose(held, "lost", "another process took over the name");
      return;
    }
    held.latest += 1;
    held.renewals += 1;
    held.validUntil = startedAt + leaseMs - this._margin;
    this._armExpiry(held);
    if (held.renewals % 2 === 0)
      this._beacon?.beat(held.latest);
    if (held.renewals % 8 === 0)
      this._files.prune(held.token, this._files.scan());
  }
  _armExpiry(held) {
    const delay = Math.max(0, held.validUntil - this._options.clock.now());
    this._expiryTimer.value = this._options.clock.setTimeout(() => {
      if (this._held === held && this._options.clock.now() >= held.validUntil) {
        this._lose(held, "lost", "lease expired without renewal (process paused or blocked)");
      }
    }, delay);
  }
  _lose(held, reason, detail) {
    if (this._held !== held)
      return;
    this._held = void 0;
    this._expiryTimer.clear();
    this._observed = void 0;
    closeQuietly(held.fd);
    this._beacon?.close();
    this._beacon = void 0;
    this._schedule(this._options.pollMs);
    const log = reason === "lost" ? this._options.logger.warn.bind(this._options.logger) : this._options.logger.info.bind(this._options.logger);
    log({ fencingToken: held.token, reason, detail }, reason === "lost" ? "lost the name" : "released the name");
    this._onDidLose.fire({ token: held.token, reason, detail });
  }
  /** Gives up the held term (if any): waiters see it released on their next poll. */
  async release(reason) {
    await this._tickChain;
    const held = this._held;
    if (held)
      this._lose(held, reason, reason === "resigned" ? "resigned" : "closed");
  }
  /**
   * Stops taking part, synchronously: gives up the held term (its OS lock is dropped at once, so
   * a waiter takes over on its next poll), stops every timer and closes every descriptor. A tick
   * still in flight (a claim waiting for its fsync) gives back what it claimed when it resumes.
   */
  dispose() {
    if (this._closed)
      return;
    this._closed = true;
    this._contending = false;
    const held = this._held;
    if (held)
      this._lose(held, "closed", "closed");
    this._tickTimer.clear();
    this._expiryTimer.clear();
    this._closeWatch();
    this._files.close();
    super.dispose();
  }
  /** dispose(), then waits for a tick in flight to finish. */
  async close() {
    this.dispose();
    await this._tickChain;
  }
};

// ../../packages/lock/dist/errors.js
var LockTimeoutError = class extends defineErrorClass("ELOCKTIMEOUT") {
};
var LockBusyError = class extends defineErrorClass("ELOCKBUSY") {
};
var LockLostError = class extends defineErrorClass("ELOCKLOST") {
};
var StaleTokenError = class extends defineErrorClass("ESTALETOKEN") {
};
var FenceCorruptError = class extends defineErrorClass("EFENCECORRUPT") {
};
for (const errorClass of [LockTimeoutError, LockBusyError, LockLostError, StaleTokenError, FenceCorruptError]) {
  registerErrorClass(errorClass);
}

// ../../packages/lock/dist/options.js
var import_node_crypto5 = require("node:crypto");
var import_node_path7 = require("node:path");
function lockDirFor(dir, name2) {
  return (0, import_node_path7.join)(dir, `${toFileName(name2, "lock name")}.lock`);
}
function contenderOptions(options, leaseMs, what, durableByDefault) {
  const pollMs = options.pollMs ?? 10;
  if (typeof options.dir !== "string" || options.dir.length === 0) {
    throw new InvalidArgumentError(`${what}: dir must be a directory path, got ${JSON.stringify(options.dir)}`);
  }
  if (!(pollMs >= 1))
    throw new InvalidArgumentError(`${what}: pollMs must be >= 1, got ${pollMs}`);
  if (!(leaseMs >= 4 * pollMs) || !(leaseMs >= 20)) {
    throw new InvalidArgumentError(`${what}: the lease must be >= 20 ms and >= 4 x pollMs (${4 * pollMs} ms), got ${leaseMs}`);
  }
  const id = options.id ?? (0, import_node_crypto5.randomUUID)();
  return {
    lockDir: lockDirFor(options.dir, options.name),
    leaseMs,
    pollMs,
    id,
    metadata: options.metadata,
    logger: (options.logger ?? noopLogger).child({ pkg: "lock", name: options.name, id }),
    clock: options.clock ?? systemClock,
    durable: options.durable ?? durableByDefault
  };
}

// ../../packages/lock/dist/election.js
var abortedSignal = AbortSignal.abort(new LockLostError("not the leader"));
var Election = class extends Disposable {
  _options;
  _contender;
  _onDidChangeRole = this._register(new Emitter());
  onDidChangeRole = this._onDidChangeRole.event;
  _onDidChangeLeader = this._register(new Emitter());
  onDidChangeLeader = this._onDidChangeLeader.event;
  _role = "stopped";
  _termController;
  _startPromise;
  _closePromise;
  _closed = false;
  _leaseMs;
  id;
  name;
  constructor(_options) {
    super();
    this._options = _options;
    this.name = _options.name ?? "leader";
    this._leaseMs = _options.leaseMs ?? 2e3;
    const resolved2 = contenderOptions({ ..._options, name: this.name }, this._leaseMs, `election '${this.name}'`, true);
    this.id = resolved2.id;
    this._contender = new LeaseContender(resolved2);
    this._register(this._contender.onDidAcquire((held) => {
      this._termController = new AbortController();
      this._setRole("leader", "elected", held.token);
    }));
    this._register(this._contender.onDidLose(({ token, reason, detail }) => {
      this._termController?.abort(new LockLostError(`Leadership of '${this.name}' (token ${token}) ended: ${detail}`));
      this._termController = void 0;
      const role = reason === "closed" ? "stopped" : "follower";
      this._setRole(role, reason, token, detail);
    }));
    this._register(this._contender.onDidChangeHolder((record3) => this._onDidChangeLeader.fire(toLeaderInfo(record3))));
    if (_options.signal)
      this._register(onAbort(_options.signal, () => void this.close()));
  }
  /** Joins the election; resolves once this process knows whether it leads. */
  start() {
    this._startPromise ??= (async () => {
      throwIfAborted(this._options.signal);
      if (this._closed)
        throw new InvalidArgumentError(`election '${this.name}' is closed; create a new one`);
      await this._contender.start(true);
      if (this._role === "stopped" && !this._closed)
        this._setRole("follower", "joined", void 0);
    })();
    return this._startPromise;
  }
  get role() {
    return this._role;
  }
  /**
   * True only while this process leads and its lease can be trusted by its own monotonic clock.
   * Reading it (or `token`, or `leadershipSignal`) after the lease ran out, as after a pause, ends
   * the term there and then: the signal aborts and `lost` fires before the read returns.
   */
  get isLeader() {
    return this._role === "leader" && this._contender.checkLease();
  }
  /** The fencing token of the current term, while leader. */
  get token() {
    return this.isLeader ? this._contender.held?.token : void 0;
  }
  /** The leader as last seen on disk (this process or another). */
  get leader() {
    return toLeaderInfo(this._contender.holder);
  }
  /**
   * Why the last attempt to read or write the lock directory failed, until one succeeds. A
   * follower with no leader and a lastError cannot take part (a file where the directory should
   * be, a read-only disk); the failure is also logged on every attempt.
   */
  get lastError() {
    return this._contender.lastError;
  }
  /** The directory holding this name's lease files. */
  get lockDir() {
    return this._contender.lockDir;
  }
  /** Aborted when this term ends; an already-aborted signal when not leader. Pass it to the leader's work. */
  get leadershipSignal() {
    return this.isLeader && this._termController ? this._termController.signal : abortedSignal;
  }
  /** Resolves when this process becomes leader (at once if it is). */
  async whenLeader(signal) {
    throwIfAborted(signal);
    if (this._closed)
      throw new LockLostError(`election '${this.name}' is closed; it will not lead again`);
    if (this.isLeader)
      return;
    await eventToPromise(this.onDidChangeRole, { signal, filter: (change) => change.role === "leader" || change.role === "stopped" });
    if (this._role === "stopped")
      throw new LockLostError(`election '${this.name}' closed before this process became leader`);
  }
  /**
   * Steps down and hands over to a waiting process. This process stays a follower and claims
   * again only if nobody else has taken over within the lease.
   */
  async resign() {
    this._contender.holdOff(this._leaseMs);
    await this._contender.release("resigned");
  }
  /**
   * Leaves the election, synchronously: resigns if leader (a waiter takes over on its next poll),
   * stops every timer, closes every descriptor; `whenLeader()` rejects from now on.
   */
  dispose() {
    if (this._closed)
      return;
    this._closed = true;
    this._contender.dispose();
    if (this._role !== "stopped")
      this._setRole("stopped", "closed", void 0);
    super.dispose();
  }
  /** dispose(), then waits until nothing of the election is still running. */
  async close() {
    this._closePromise ??= (async () => {
      this.dispose();
      await this._contender.close();
      await this._startPromise?.catch(() => {
      });
    })();
    return this._closePromise;
  }
  _setRole(role, reason, token, detail) {
    const previous = this._role;
    if (previous === role && reason !== "elected")
      return;
    this._role = role;
    this._onDidChangeRole.fire({ role, previous, token, reason, ...detail ? { detail } : {} });
  }
};
function toLeaderInfo(record3) {
  if (!record3)
    return void 0;
  return { id: record3.id, pid: record3.pid, hostname: record3.hostname, metadata: record3.metadata, token: record3.token, since: record3.since };
}
function createElection(options) {
  return new Election(options);
}

// ../../packages/state/dist/store.js
var import_node_crypto6 = require("node:crypto");
var import_node_fs8 = require("node:fs");
var import_promises3 = require("node:fs/promises");
var import_node_path8 = require("node:path");

// ../../packages/state/dist/envelope.js
var import_node_zlib = require("node:zlib");

// ../../packages/state/dist/errors.js
var ConflictError = class extends defineErrorClass("ECONFLICT") {
};
var CorruptStateError = class extends BatonError {
  reason;
  constructor(reason, message, options) {
    super("ECORRUPT", message, options);
    this.reason = reason;
  }
};
var InvalidStateError = class extends defineErrorClass("EINVALIDSTATE") {
};
var StateTooLargeError = class extends defineErrorClass("ETOOLARGE") {
};
for (const errorClass of [ConflictError, CorruptStateError, InvalidStateError, StateTooLargeError])
  registerErrorClass(errorClass);

// ../../packages/state/dist/envelope.js
var stateFormat = 1;
function checksumOf(payloadText) {
  return (0, import_node_zlib.crc32)(payloadText).toString(16).padStart(8, "0");
}
function encodeEnvelope(payloadText, version2, writer, recovery) {
  const head = JSON.stringify({ format: stateFormat, version: version2, writer, updatedAt: (/* @__PURE__ */ new Date()).toISOString(), checksum: checksumOf(payloadText), recovery });
  return `${head.slice(0, -1)},"payload":${payloadText}}
`;
}
function decodeEnvelope(data, file, maxBytes, schema) {
  if (data.length > maxBytes + 1024) {
    throw new CorruptStateError("size", `${file} is ${data.length} bytes, over the ${maxBytes}-byte limit (maxBytes)`);
  }
  let parsed;
  try {
    parsed = JSON.parse(data.toString("utf8"));
  } catch (err) {
    throw new CorruptStateError("json", `${file} is not valid JSON (${data.length} bytes): ${err.message}`, { cause: err });
  }
  const envelope = parsed;
  if (typeof envelope !== "object" || envelope === null)
    throw new CorruptStateError("envelope", `${file} does not hold a state envelope`);
  if (envelope.format !== stateFormat) {
    throw new CorruptStateError("format", `${file} has format ${JSON.stringify(envelope.format)}; this version of @baton/state reads format ${stateFormat}`);
  }
  if (!Number.isSafeInteger(envelope.version) || envelope.version < 0 || typeof envelope.checksum !== "string" || !("payload" in envelope)) {
    throw new CorruptStateError("envelope", `${file} is missing version, checksum or payload`);
  }
  const actual = checksumOf(JSON.stringify(envelope.payload));
  if (actual !== envelope.checksum) {
    throw new CorruptStateError("checksum", `${file} failed its checksum (stored ${envelope.checksum}, computed ${actual}): the payload was changed or damaged`);
  }
  if (envelope.recovery !== void 0 && (typeof envelope.recovery !== "object" || envelope.recovery === null || typeof envelope.recovery.reason !== "string")) {
    throw new CorruptStateError("envelope", `${file} has a malformed recovery record`);
  }
  if (schema) {
    const result = schema.safeParse(envelope.payload);
    if (!result.success)
      throw new CorruptStateError("schema", `${file} payload does not match the schema: ${result.error.message}`);
    envelope.payload = result.data;
  }
  return envelope;
}

// ../../packages/state/dist/store.js
var storeFaultPoints = {};
var damagedReasons = /* @__PURE__ */ new Set(["json", "checksum", "envelope"]);
var Store = class extends Disposable {
  _options;
  _onDidChange = this._register(new Emitter());
  onDidChange = this._onDidChange.event;
  _onDidError = this._register(new Emitter());
  /** Bad data seen on disk (corrupt, failing checksum or schema, too large); the last good value stays. */
  onDidError = this._onDidError.event;
  _onDidRecover = this._register(new Emitter());
  /**
   * A recovery, by this process or another, after open (one found at open is in `recovery`):
   * the file was damaged, deleted, or went back to an older version, and the best value left
   * was written under a new version.
   */
  onDidRecover = this._onDidRecover.event;
  file;
  id;
  _bak;
  _lockPath;
  _maxBytes;
  _logger;
  _good;
  _pending = [];
  _draining;
  _refreshing;
  _refreshAgain = false;
  _lastErrorKey;
  _watcher;
  _poll;
  _closed = false;
  _opened = false;
  constructor(_options) {
    super();
    this._options = _options;
    const base = toFileName(_options.name, "store name");
    this.file = (0, import_node_path8.join)(_options.dir, `${base}.state.json`);
    this._bak = `${this.file}.bak`;
    this._lockPath = (0, import_node_path8.join)(_options.dir, `${base}.state.lock`);
    this._maxBytes = _options.maxBytes ?? 1 << 20;
    this.id = _options.id ?? (0, import_node_crypto6.randomUUID)();
    this._logger = (_options.logger ?? noopLogger).child({ pkg: "state", name: _options.name });
    this._good = { version: 0, value: _options.initial, writer: { id: "", pid: 0 }, checksum: "" };
    if (_options.signal)
      this._register(onAbort(_options.signal, () => void this.close()));
  }
  /** The last good value this process has seen. */
  get() {
    return this._good.value;
  }
  get version() {
    return this._good.version;
  }
  /**
   * Set when the current version was written by a recovery (by this process at open, or by
   * another): check it after `openStore` to learn that the value is a recovered one.
   */
  get recovery() {
    return this._good.recovery;
  }
  /**
   * Reads the file and starts watching. A damaged, deleted or regressed file is recovered first
   * (see `recovery`); an unreadable one rejects with ECORRUPT unless `ifUnreadable` is 'reset'.
   */
  async open() {
    await ensureSecureDirectory(this._options.dir);
    const main = this._read(this.file);
    const plan = this._plan(main, this._read(this._bak));
    if ("error" in plan || plan.recovery) {
      if (main.kind === "damaged" || main.kind === "foreign")
        this._report(main.error);
      try {
        await this._repair();
      } catch (err) {
        this.dispose();
        throw err;
      }
    } else {
      if (main.kind === "ok")
        this._accept(main.envelope, "remote");
      await this._sweepTempFiles();
    }
    this._opened = true;
    this._startWatching();
  }
  /**
   * Compare-and-swap: `updater` gets the current value (re-read under the lock) and returns the
   * next one, written as version + 1. It may run again if the write has to be retried, so it must
   * be pure. Resolves after the write is durable.
   */
  update(updater, options = {}) {
    return this._enqueue(updater, options);
  }
  /** Writes `value` (versioned and atomic). Sets queued together are written once, the latest winning. */
  set(value, options = {}) {
    return this._enqueue(() => value, options);
  }
  _enqueue(apply, options, repairOnly = false) {
    if (this._closed)
      return Promise.reject(new InvalidArgumentError(`store '${this._options.name}' is closed`));
    return new Promise((resolve2, reject) => {
      this._pending.push({ apply, options, repairOnly, resolve: resolve2, reject });
      this._draining ??= this._drain();
    });
  }
  /** Takes the lock and recovers the file if it still needs it; a no-op when it does not. */
  _repair() {
    return this._enqueue((value) => value, {}, true);
  }
  async _drain() {
    try {
      while (this._pending.length > 0) {
        const ops = this._pending;
        this._pending = [];
        await this._commit(ops);
      }
    } finally {
      this._draining = void 0;
    }
  }
  /** One critical section for every queued operation: read, apply in order, one durable write. */
  async _commit(ops) {
    const attempts = Math.max(...ops.map((op) => op.options.retries ?? this._options.lockAttempts ?? 2e3));
    let release;
    try {
      release = await lockFile(this._lockPath, { attempts });
    } catch (err) {
      for (const op of ops)
        op.reject(err);
      return;
    }
    if (!release) {
      const error2 = new ConflictError(`Could not get the write lock of store '${this._options.name}' after ${attempts} tries; another process keeps it (${this._lockPath})`);
      for (const op of ops)
        op.reject(error2);
      return;
    }
    try {
      const main = this._read(this.file);
      const plan = this._plan(main, this._read(this._bak));
      if ("error" in plan) {
        this._report(plan.error);
        for (const op of ops)
          op.reject(plan.error);
        return;
      }
      let value = plan.base.value;
      let text;
      const accepted = [];
      for (const op of ops) {
        if (op.options.signal?.aborted) {
          op.reject(op.options.signal.reason);
          continue;
        }
        if (op.repairOnly) {
          accepted.push(op);
          continue;
        }
        let next;
        try {
          next = this._validate(op.apply(value));
        } catch (err) {
          op.reject(err);
          continue;
        }
        const nextText = JSON.stringify(next);
        if (nextText === void 0) {
          op.reject(new InvalidStateError(`store '${this._options.name}': the value is not JSON-serializable`));
          continue;
        }
        const bytes = Buffer.byteLength(nextText);
        if (bytes > this._maxBytes) {
          op.reject(new StateTooLargeError(`store '${this._options.name}': the value is ${bytes} bytes, over maxBytes (${this._maxBytes}); nothing was written`));
          continue;
        }
        value = next;
        text = nextText;
        accepted.push(op);
      }
      if (accepted.length === 0)
        return;
      if (text === void 0 && !plan.recovery) {
        if (main.kind === "ok")
          this._accept(main.envelope, "remote");
        for (const op of accepted)
          op.resolve({ value: this._good.value, version: this._good.version });
        return;
      }
      text ??= JSON.stringify(value);
      const version2 = plan.version;
      const writer = { id: this.id, pid: process.pid };
      const movedAside = this._moveAside(plan.moveAside);
      const recovery = plan.recovery && { ...plan.recovery, version: version2, writer, ...movedAside ? { movedAside } : {} };
      const data = encodeEnvelope(text, version2, writer, recovery);
      try {
        await writeFileAtomic(this._bak, data, { fsync: false });
        await writeFileAtomic(this.file, data);
      } catch (err) {
        for (const op of accepted)
          op.reject(err);
        return;
      }
      if (recovery)
        await this._sweepTempFiles(true);
      release();
      release = void 0;
      if (recovery)
        this._logger.error({ recovery }, recoveryMessage(recovery));
      this._accept({ version: version2, payload: value, writer, checksum: checksumOf(text), recovery }, "local");
      for (const op of accepted)
        op.resolve({ value, version: version2 });
    } finally {
      release?.();
    }
  }
  /**
   * Decides what a write starts from. The next version is above every version seen: this
   * process's, the main file's, the `.bak` copy's (one ahead after a writer died between the two
   * writes) and any version a damaged file still shows. A damaged or deleted main file is
   * recovered from the newest of `.bak` and memory; a main file older than what was seen (restored
   * over, or a version reused) keeps its value under a new version; intact data this process
   * cannot accept, or nothing left to recover from, is an error unless the caller chose 'reset'.
   */
  _plan(main, bak) {
    const versionOf = (read) => read.kind === "ok" ? read.envelope.version : read.kind === "damaged" ? read.version ?? 0 : 0;
    const highestVersion = Math.max(this._good.version, versionOf(main), versionOf(bak));
    const version2 = highestVersion + 1;
    if (main.kind === "ok") {
      const file = main.envelope;
      const base = { value: file.payload, version: file.version };
      const regressed = this._isBehind(file) || bak.kind === "ok" && bak.envelope.version > file.version + 1;
      if (!regressed)
        return { base, version: version2, moveAside: [] };
      return { base, version: version2, recovery: { reason: "restored", source: "file", fromVersion: file.version, highestVersion }, moveAside: [] };
    }
    if (main.kind === "missing" && bak.kind === "missing" && this._good.version === 0) {
      return { base: { value: structuredClone(this._options.initial), version: 0 }, version: version2, moveAside: [] };
    }
    const unreadable = (error3) => {
      if (this._options.ifUnreadable !== "reset")
        return { error: error3 };
      const moveAside2 = [...main.kind === "missing" ? [] : [this.file], ...bak.kind === "ok" || bak.kind === "missing" ? [] : [this._bak]];
      return { base: { value: structuredClone(this._options.initial), version: 0 }, version: version2, recovery: { reason: "reset", source: "initial", fromVersion: 0, highestVersion }, moveAside: moveAside2 };
    };
    if (main.kind === "foreign")
      return unreadable(main.error);
    const fromBackup = bak.kind === "ok" && bak.envelope.version >= this._good.version;
    const reason = main.kind === "damaged" ? "corrupt" : "missing";
    const moveAside = main.kind === "damaged" ? [this.file] : [];
    if (fromBackup) {
      const base = { value: bak.envelope.payload, version: bak.envelope.version };
      return { base, version: version2, recovery: { reason, source: "backup", fromVersion: base.version, highestVersion }, moveAside };
    }
    if (this._good.version > 0) {
      const base = { value: structuredClone(this._good.value), version: this._good.version };
      return { base, version: version2, recovery: { reason, source: "memory", fromVersion: base.version, highestVersion }, moveAside };
    }
    const why = bak.kind === "missing" ? "there is no .bak copy" : bak.kind === "ok" ? "nothing newer is known" : `the .bak copy is unreadable too (${bak.error.message})`;
    const error2 = main.kind === "damaged" ? new CorruptStateError(main.error.reason, `${main.error.message}; ${why}, so there is nothing to recover from. Nothing was overwritten; open with ifUnreadable: 'reset' to start again from initial`, { cause: main.error }) : new CorruptStateError("missing", `${this.file} is missing and ${why}. Nothing was overwritten; open with ifUnreadable: 'reset' to start again from initial`);
    return unreadable(error2);
  }
  /**
   * Whether a valid file went back: below the version this process has seen, or at that version
   * with other content (a version reused after the files were replaced).
   */
  _isBehind(file) {
    const seen = this._good;
    return file.version < seen.version || file.version === seen.version && file.version > 0 && file.checksum !== seen.checksum;
  }
  /** Renames damaged files to `<file>.corrupt-<time>` (kept for inspection); returns the main file's new name. */
  _moveAside(files) {
    let mainMovedTo;
    for (const file of files) {
      const aside = `${file}.corrupt-${Date.now()}`;
      try {
        (0, import_node_fs8.renameSync)(file, aside);
        if (file === this.file)
          mainMovedTo = aside;
      } catch {
      }
    }
    return mainMovedTo;
  }
  /**
   * Removes temp files of writers killed mid-write. Every write of this store's files happens
   * under its lock, so while this process holds it no temp file is in use. Without the lock
   * (`locked` false) it tries the lock once and skips the sweep if another process has it.
   */
  async _sweepTempFiles(locked = false) {
    const prefix = `.${(0, import_node_path8.basename)(this.file)}.`;
    const legacyPrefix = `${(0, import_node_path8.basename)(this._bak)}.`;
    const isLegacy = (name2) => name2.startsWith(legacyPrefix) && /^\d+\.tmp$/.test(name2.slice(legacyPrefix.length));
    let names;
    try {
      names = (0, import_node_fs8.readdirSync)(this._options.dir).filter((name2) => name2.startsWith(prefix) && isAtomicWriteTempFile(name2) || isLegacy(name2));
    } catch {
      return;
    }
    if (names.length === 0)
      return;
    const release = locked ? void 0 : await lockFile(this._lockPath, { attempts: 1 });
    if (!locked && !release)
      return;
    try {
      let removed = 0;
      for (const name2 of names) {
        try {
          (0, import_node_fs8.unlinkSync)((0, import_node_path8.join)(this._options.dir, name2));
          removed++;
        } catch {
        }
      }
      if (removed > 0)
        this._logger.info({ removed }, "removed temp files left by writers that died mid-write");
    } finally {
      release?.();
    }
  }
  /**
   * @internal For EventLog.compact: the payload text a write of `value` would store (validated
   * and size-checked as a write is), so its checksum can be recorded before the write.
   */
  payloadText(value) {
    const text = JSON.stringify(this._validate(value));
    if (text === void 0)
      throw new InvalidStateError(`store '${this._options.name}': the value is not JSON-serializable`);
    return text;
  }
  _validate(value) {
    const schema = this._options.schema;
    if (!schema)
      return value;
    const result = schema.safeParse(value);
    if (!result.success)
      throw new InvalidStateError(`store '${this._options.name}': the value does not match the schema: ${result.error.message}; nothing was written`);
    return result.data;
  }
  /** Reads and verifies a state file. */
  _read(file) {
    let data;
    try {
      data = (0, import_node_fs8.readFileSync)(file);
    } catch (err) {
      if (err.code === "ENOENT")
        return { kind: "missing" };
      return { kind: "foreign", error: new CorruptStateError("envelope", `cannot read ${file}: ${err.message}`, { cause: err }) };
    }
    return this._decode(data, file);
  }
  _decode(data, file) {
    try {
      return { kind: "ok", envelope: decodeEnvelope(data, file, this._maxBytes, this._options.schema) };
    } catch (err) {
      const error2 = err;
      if (!damagedReasons.has(error2.reason))
        return { kind: "foreign", error: error2 };
      const match = /"version":\s*(\d{1,15})/.exec(data.subarray(0, 4096).toString("utf8"));
      return { kind: "damaged", error: error2, version: match ? Number(match[1]) : void 0 };
    }
  }
  _accept(envelope, origin) {
    if (envelope.version <= this._good.version)
      return;
    const previousVersion = this._good.version;
    const { version: version2, payload: value, writer, checksum, recovery } = envelope;
    this._good = { version: version2, value, writer, checksum, ...recovery ? { recovery } : {} };
    this._lastErrorKey = void 0;
    const from = writer.id === this.id ? "local" : origin;
    if (recovery && writer.id !== this.id)
      this._logger.error({ recovery }, recoveryMessage(recovery));
    this._onDidChange.fire({ value, version: version2, previousVersion, writer, origin: from, ...recovery ? { recovery } : {} });
    if (recovery && this._opened)
      this._onDidRecover.fire(recovery);
  }
  _report(error2) {
    const key = `${error2.reason}:${error2.message}`;
    if (key === this._lastErrorKey)
      return;
    this._lastErrorKey = key;
    this._logger.error({ err: error2 }, "bad state file; keeping the last good value");
    this._onDidError.fire({ error: error2, file: this.file });
  }
  /** Reads the file now, emits a change if its version is newer, and repairs it if it needs it. */
  refresh() {
    if (this._refreshing) {
      this._refreshAgain = true;
      return this._refreshing;
    }
    this._refreshing = (async () => {
      try {
        do {
          this._refreshAgain = false;
          await this._readRemote();
        } while (this._refreshAgain && !this._closed);
      } finally {
        this._refreshing = void 0;
      }
    })();
    return this._refreshing;
  }
  /**
   * The hook for change notifications from elsewhere (for example a leader publishing `{ version }`
   * over IPC): reads the file if `version` is newer than what this store has, or when not given.
   */
  notifyChanged(version2) {
    if (version2 !== void 0 && version2 <= this._good.version)
      return;
    void this.refresh();
  }
  async _readRemote() {
    const seenBefore = this._good;
    let read;
    try {
      const data = await (0, import_promises3.readFile)(this.file);
      await storeFaultPoints.afterRemoteRead?.();
      read = this._decode(data, this.file);
    } catch (err) {
      if (err.code !== "ENOENT") {
        this._logger.debug({ err }, "could not read the state file");
        return;
      }
      read = { kind: "missing" };
    }
    if (this._good !== seenBefore && (read.kind !== "ok" || read.envelope.version <= this._good.version))
      return;
    let needsRepair;
    if (read.kind === "ok") {
      const file = read.envelope;
      needsRepair = this._isBehind(file);
      if (!needsRepair)
        this._accept(file, "remote");
      else
        this._logger.error({ file: this.file, version: file.version, seen: this._good.version }, "the state file went back to an older version; writing it anew above every version seen");
    } else if (read.kind === "missing") {
      needsRepair = this._good.version > 0;
    } else {
      this._report(read.error);
      needsRepair = read.kind === "damaged";
    }
    if (!needsRepair || this._closed)
      return;
    try {
      await this._repair();
    } catch (err) {
      if (err instanceof CorruptStateError)
        this._report(err);
      else if (!this._closed)
        this._logger.warn({ err }, "could not repair the state file");
    }
  }
  _startWatching() {
    const mode = this._options.watch ?? "auto";
    if (mode === false)
      return;
    const pollMs = this._options.pollMs ?? (mode === "poll" ? 1e3 : 5e3);
    this._poll = setInterval(() => void this.refresh(), pollMs);
    this._poll.unref();
    if (mode !== "auto")
      return;
    const name2 = this.file.slice(this._options.dir.length + 1);
    try {
      this._watcher = (0, import_node_fs8.watch)(this._options.dir, { persistent: false }, (_event, filename) => {
        if (filename === null || filename === name2)
          void this.refresh();
      });
      this._watcher.on("error", (err) => {
        this._logger.warn({ err }, "directory watch failed; polling only");
        this._watcher?.close();
        this._watcher = void 0;
      });
    } catch (err) {
      this._logger.warn({ err }, "cannot watch the directory; polling only");
    }
  }
  /**
   * Stops watching and polling and refuses new writes, synchronously; writes already queued still
   * complete (their promises settle). For `context.subscriptions` and other dispose() owners.
   */
  dispose() {
    if (this._closed)
      return;
    this._closed = true;
    this._watcher?.close();
    if (this._poll)
      clearInterval(this._poll);
    super.dispose();
  }
  /** Waits for queued writes, then dispose(), then waits for a refresh in flight. */
  async close() {
    if (this._closed)
      return;
    await this._draining;
    this.dispose();
    await this._refreshing;
  }
};
async function openStore(options) {
  const store = new Store(options);
  await store.open();
  return store;
}
function recoveryMessage(recovery) {
  const lost = recovery.highestVersion > recovery.fromVersion ? `; versions ${recovery.fromVersion + 1} to ${recovery.highestVersion} are lost` : "";
  return `state recovered (${recovery.reason}): the value of version ${recovery.fromVersion} from ${recovery.source} is now version ${recovery.version}${lost}`;
}

// ../../packages/coordinator/dist/errors.js
var NotLeaderError = class extends defineErrorClass("ENOTLEADER") {
};
var LeaderChangedError = class extends defineErrorClass("ELEADERCHANGED") {
};
var NoLeaderError = class extends defineErrorClass("ENOLEADER") {
};
var GroupClosedError = class extends defineErrorClass("EGROUPCLOSED") {
};
for (const errorClass of [NotLeaderError, LeaderChangedError, NoLeaderError, GroupClosedError])
  registerErrorClass(errorClass);

// ../../packages/telemetry/dist/metrics.js
var import_prom_client = __toESM(require_prom_client(), 1);
function createMetrics(options = {}) {
  const registry2 = new import_prom_client.Registry();
  if (options.defaultLabels)
    registry2.setDefaultLabels(options.defaultLabels);
  const prefix = options.prefix ?? "baton_";
  const existing = (name2) => registry2.getSingleMetric(prefix + name2);
  return {
    registry: registry2,
    counter(name2, help, labelNames = []) {
      return existing(name2) ?? new import_prom_client.Counter({ name: prefix + name2, help, labelNames, registers: [registry2] });
    },
    gauge(name2, help, labelNames = []) {
      return existing(name2) ?? new import_prom_client.Gauge({ name: prefix + name2, help, labelNames, registers: [registry2] });
    },
    histogram(name2, help, histogramOptions = {}) {
      return existing(name2) ?? new import_prom_client.Summary({
        name: prefix + name2,
        help,
        labelNames: histogramOptions.labelNames ?? [],
        percentiles: [0.5, 0.9, 0.99],
        maxAgeSeconds: histogramOptions.maxAgeSeconds ?? 600,
        ageBuckets: 5,
        registers: [registry2]
      });
    },
    render: () => registry2.metrics(),
    snapshot: () => registry2.getMetricsAsJSON()
  };
}

// ../../packages/coordinator/dist/metrics.js
var GroupMetrics = class {
  _group;
  /** The group's own registry, labelled with the group's name. */
  registry;
  leadershipChanges;
  stateUpdatesSent;
  stateUpdatesReceived;
  pushLatency;
  failover;
  calls;
  callsServed;
  dropped;
  errors;
  /** Failover times not yet in the summary (see observeFailover). */
  _failovers = [];
  _flushTimer;
  constructor(_group) {
    this._group = _group;
    const registry2 = createMetrics({ defaultLabels: { group: _group } });
    this.registry = registry2;
    this.leadershipChanges = registry2.counter("group_leadership_changes_total", "Times this member became leader or stopped leading");
    this.stateUpdatesSent = registry2.counter("group_state_updates_sent_total", "Store versions written here and pushed");
    this.stateUpdatesReceived = registry2.counter("group_state_updates_received_total", "Store versions written elsewhere and taken in here");
    this.pushLatency = registry2.histogram("group_push_latency_ms", "Store push from the writer to the change event here (ms)");
    this.failover = registry2.histogram("group_failover_ms", "Connection to the leader lost -> joined to the next leader (ms)");
    this.calls = registry2.counter("group_calls_total", "Calls made to the leader, by outcome", ["outcome"]);
    this.callsServed = registry2.counter("group_calls_served_total", "Calls served as leader");
    this.dropped = registry2.counter("group_published_dropped_total", "Messages published while no leader was reachable");
    this.errors = registry2.counter("group_errors_total", "Failures with no caller: leader tasks, bad messages, listeners", ["kind"]);
  }
  /**
   * Records a failover time a moment later, not now: the first observation of a summary runs code
   * that nothing else has run (its digest), and at this moment every member of the group is busy
   * joining the new leader on a machine with a few cores. report() takes them in at once.
   */
  observeFailover(ms) {
    this._failovers.push(ms);
    this._flushTimer ??= setTimeout(() => this.flush(), 250);
    this._flushTimer.unref?.();
  }
  /** Puts the pending failover times into the summary. */
  flush() {
    clearTimeout(this._flushTimer);
    this._flushTimer = void 0;
    for (const ms of this._failovers.splice(0))
      this.failover.observe(ms);
  }
  /** Stops the pending timer (the group closed); what was observed stays in the registry. */
  dispose() {
    this.flush();
  }
  async report(now) {
    this.flush();
    const snapshot = await this.registry.snapshot();
    const values = (name2) => snapshot.find((m) => m.name === `baton_${name2}`)?.values ?? [];
    const total = (name2, outcome) => values(name2).filter((v) => outcome === void 0 || v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
    const latency = (name2) => {
      const all = values(name2);
      const quantile = (q) => {
        const value = all.find((v) => v.labels.quantile === q)?.value;
        return value === void 0 || Number.isNaN(value) ? void 0 : Math.round(value * 1e3) / 1e3;
      };
      return { count: all.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0, p50: quantile(0.5), p99: quantile(0.99) };
    };
    return {
      group: this._group,
      ...now,
      leadershipChanges: total("group_leadership_changes_total"),
      stateUpdates: { sent: total("group_state_updates_sent_total"), received: total("group_state_updates_received_total") },
      pushLatencyMs: latency("group_push_latency_ms"),
      failoverMs: latency("group_failover_ms"),
      calls: {
        ok: total("group_calls_total", "ok"),
        leaderChanged: total("group_calls_total", "leader-changed"),
        error: total("group_calls_total", "error"),
        served: total("group_calls_served_total")
      },
      dropped: total("group_published_dropped_total"),
      errors: total("group_errors_total")
    };
  }
};

// ../../packages/coordinator/dist/protocol.js
var methods = {
  join: "group.join",
  call: "group.call",
  publish: "group.publish",
  stored: "group.stored"
};
var topics = {
  members: "group.members",
  store: "group.store",
  user: (topic) => `t:${topic}`
};
var maxNameLength = 200;
function record2(value, what) {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidArgumentError(`${what}: expected an object, got ${describe3(value)}`);
  return value;
}
function name(value, what) {
  if (typeof value !== "string" || value.length === 0 || value.length > maxNameLength) {
    throw new InvalidArgumentError(`${what}: expected a non-empty string of at most ${maxNameLength} characters, got ${describe3(value)}`);
  }
  return value;
}
function count2(value, what) {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError(`${what}: expected a non-negative integer, got ${describe3(value)}`);
  return value;
}
function describe3(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}
function parseJoin(value) {
  const v = record2(value, "group.join");
  return { id: name(v.id, "group.join id"), pid: count2(v.pid, "group.join pid"), metadata: v.metadata, term: count2(v.term, "group.join term") };
}
function parseCall(value) {
  const v = record2(value, "group.call");
  return { method: name(v.method, "group.call method"), params: v.params };
}
function parsePublish(value) {
  const v = record2(value, "group.publish");
  return { topic: name(v.topic, "group.publish topic"), payload: v.payload };
}
function parseStoreNotice(value) {
  const v = record2(value, "store notice");
  const at = typeof v.at === "number" && Number.isFinite(v.at) ? v.at : 0;
  return { store: name(v.store, "store notice store"), version: count2(v.version, "store notice version"), at };
}
function parseMember(value) {
  const v = record2(value, "member");
  return {
    id: name(v.id, "member id"),
    pid: count2(v.pid, "member pid"),
    metadata: v.metadata,
    leader: v.leader === true,
    joinedAt: typeof v.joinedAt === "string" ? v.joinedAt : ""
  };
}
function parseMembers(value) {
  const v = record2(value, "group.members");
  if (!Array.isArray(v.members))
    throw new InvalidArgumentError(`group.members: expected members to be an array, got ${describe3(v.members)}`);
  return v.members.map(parseMember);
}
function parseWelcome(value) {
  const v = record2(value, "welcome");
  const stores = {};
  for (const [store, version2] of Object.entries(record2(v.stores, "welcome stores")))
    stores[store] = count2(version2, `welcome stores.${store}`);
  return { token: count2(v.token, "welcome token"), members: parseMembers(v), stores };
}

// ../../packages/coordinator/dist/group.js
var membersBroadcastDelayMs = 5;
var preciseNow = () => performance.timeOrigin + performance.now();
var Group = class extends Disposable {
  _options;
  _onDidChangeRole = this._register(new Emitter());
  onDidChangeRole = this._onDidChangeRole.event;
  _onDidChangeLeader = this._register(new Emitter());
  onDidChangeLeader = this._onDidChangeLeader.event;
  _onDidChangeMembers = this._register(new Emitter());
  onDidChangeMembers = this._onDidChangeMembers.event;
  /** The role or the leader connection changed: what waiters check. */
  _onDidSettle = this._register(new Emitter());
  _onDidChangeConnection = this._register(new Emitter());
  /** A follower connected to the current leader, or lost that connection. */
  onDidChangeConnection = this._onDidChangeConnection.event;
  id;
  name;
  _dir;
  _logger;
  _leaseMs;
  _heartbeat;
  _election;
  _socket;
  _metrics;
  _joinedAt = (/* @__PURE__ */ new Date()).toISOString();
  _authToken = "";
  _server;
  /** This follower's connection to the leader, once joined. */
  _client;
  /** Bumped whenever the leader to follow changes: older connection attempts give up. */
  _followSeq = 0;
  _lostAt;
  /** At the leader: the followers joined, by IPC peer id. */
  _followers = /* @__PURE__ */ new Map();
  /** At a follower: the list the leader last sent. */
  _memberList = [];
  _handlers = /* @__PURE__ */ new Map();
  _listeners = /* @__PURE__ */ new Map();
  _stores = /* @__PURE__ */ new Map();
  _lastPush = /* @__PURE__ */ new Map();
  _tasks = /* @__PURE__ */ new Set();
  _running = /* @__PURE__ */ new Set();
  _membersTimer;
  _closed = false;
  _closePromise;
  constructor(_options) {
    super();
    this._options = _options;
    if (typeof _options.dir !== "string" || _options.dir.length === 0)
      throw new InvalidArgumentError(`joinGroup: dir must be a directory path, got ${JSON.stringify(_options.dir)}`);
    if (typeof _options.name !== "string" || _options.name.length === 0)
      throw new InvalidArgumentError(`joinGroup: name must be a non-empty string, got ${JSON.stringify(_options.name)}`);
    this.id = _options.id ?? (0, import_node_crypto7.randomUUID)();
    this.name = _options.name;
    this._dir = _options.dir;
    this._leaseMs = _options.leaseMs ?? 2e3;
    const heartbeatMs = _options.heartbeatMs ?? 2e3;
    if (!(heartbeatMs >= 10))
      throw new InvalidArgumentError(`joinGroup: heartbeatMs must be >= 10, got ${heartbeatMs}`);
    this._heartbeat = { intervalMs: heartbeatMs, timeoutMs: heartbeatMs * 3 };
    this._logger = (_options.logger ?? noopLogger).child({ pkg: "coordinator", group: this.name, member: this.id });
    this._socket = socketPathIn(this._dir, `${this.name}.${shortHash(this.id).slice(0, 12)}`);
    this._metrics = new GroupMetrics(this.name);
    this._election = this._register(createElection({
      dir: this._dir,
      name: `group.${this.name}`,
      leaseMs: this._leaseMs,
      id: this.id,
      metadata: { member: _options.metadata, socket: this._socket },
      logger: _options.logger
    }));
    this._register(this._election.onDidChangeRole((change) => this._onRole(change)));
    this._register(this._election.onDidChangeLeader((info) => this._onLeader(info)));
    if (_options.signal)
      this._register(onAbort(_options.signal, () => void this.close()));
  }
  /** Starts serving, joins the election, and (as a follower) waits briefly to be connected to the leader. */
  async start() {
    throwIfAborted(this._options.signal);
    await ensureSecureDirectory(this._dir);
    if (process.platform !== "win32" && (0, import_node_path9.dirname)(this._socket) !== this._dir)
      await ensureSecureDirectory((0, import_node_path9.dirname)(this._socket));
    this._authToken = await ensureAuthToken((0, import_node_path9.join)(this._dir, `${toFileName(this.name, "group name")}.group-token`));
    const server = new IpcServer({ path: this._socket, auth: { token: this._authToken }, heartbeat: this._heartbeat, logger: this._logger });
    this._server = this._register(server);
    server.handle(methods.join, (params, context) => this._serveJoin(params, context));
    server.handle(methods.call, (params, context) => this._serveCall(params, context));
    server.handle(methods.publish, (params, context) => this._servePublish(params, context));
    server.handle(methods.stored, (params, context) => this._serveStored(params, context));
    this._register(server.onDidDisconnect((peer) => {
      if (this._followers.delete(peer.id))
        this._membersChanged();
    }));
    await server.listen();
    if (this._closed)
      return;
    await this._election.start();
    if (this.role === "follower" && !this._client)
      await this._whenConnectedOrLeader(this._leaseMs + 1e3).catch(() => {
      });
  }
  get role() {
    if (this._closed)
      return "closed";
    const role = this._election.role;
    return role === "stopped" ? "closed" : role;
  }
  /** True while this member leads and its lease can be trusted (ends a stale term when read after a pause). */
  get isLeader() {
    return this._election.isLeader;
  }
  /** The current leader, as last seen (this member or another). */
  get leader() {
    return toGroupLeader(this._election.leader);
  }
  /** Whether a follower is connected to the current leader (always true for the leader). */
  get connected() {
    return this.role === "leader" || this._client !== void 0;
  }
  /** The members connected to the leader, the leader first; as the leader last sent it, at a follower. */
  get members() {
    if (this.role === "leader")
      return [this._self(), ...this._followers.values()];
    return this._memberList;
  }
  /** The fencing token of this member's term, while it leads. */
  get token() {
    return this._election.token;
  }
  /** The group's metrics registry (Prometheus text: `metricsRegistry.render()`), labelled `group`. */
  get metricsRegistry() {
    this._metrics.flush();
    return this._metrics.registry;
  }
  /** The coordination metrics as one report. */
  metrics() {
    return this._metrics.report({ role: this.role, token: this._election.leader?.token, members: this.members.length });
  }
  // ---- stores ----
  /**
   * Opens the group's store `name` (file `<dir>/<group>.<name>.state.json`). Its changes are
   * pushed to every member as versions, and each member reads the new version from the file; the
   * directory watch is the fallback when a push is lost (a failover), so the final version
   * always arrives. The same store object is returned for the same name.
   */
  async store(name2, options) {
    if (this._closed)
      throw new GroupClosedError(`group '${this.name}' is closed`);
    const existing = this._stores.get(name2);
    if (existing)
      return existing;
    const store = await openStore({ ...options, dir: this._dir, name: `${this.name}.${name2}`, logger: this._options.logger });
    if (this._closed) {
      store.dispose();
      throw new GroupClosedError(`group '${this.name}' is closed`);
    }
    const raced = this._stores.get(name2);
    if (raced) {
      store.dispose();
      return raced;
    }
    this._stores.set(name2, store);
    this._register(store.onDidChange((change) => {
      if (change.origin === "local") {
        this._announceStore(name2, change.version);
        return;
      }
      this._metrics.stateUpdatesReceived.inc();
      const push = this._lastPush.get(name2);
      if (push && change.version >= push.version) {
        this._lastPush.delete(name2);
        if (push.at > 0)
          this._metrics.pushLatency.observe(Math.max(0, preciseNow() - push.at));
      }
    }));
    return store;
  }
  _announceStore(store, version2) {
    this._metrics.stateUpdatesSent.inc();
    const notice = { store, version: version2, at: preciseNow() };
    if (this.role === "leader")
      this._server?.publish(topics.store, notice);
    else
      this._client?.notify(methods.stored, notice);
  }
  _receiveStoreNotice(notice) {
    const store = this._stores.get(notice.store);
    if (!store || notice.version <= store.version)
      return;
    this._lastPush.set(notice.store, notice);
    store.notifyChanged(notice.version);
  }
  // ---- leader-only work ----
  /**
   * Runs `task` whenever this member leads: started at the start of each term with the term's
   * token, its signal aborted when the term ends (or the returned disposable is disposed). A
   * task that throws is logged and started again after a backoff, within the same term. Guard
   * what it changes with the token (a Fence): a paused leader's task runs until it looks.
   */
  runWhileLeader(task) {
    if (this._closed)
      throw new GroupClosedError(`group '${this.name}' is closed`);
    const entry = { task, controller: void 0, disposed: false };
    this._tasks.add(entry);
    if (this._election.isLeader)
      this._startTask(entry);
    return toDisposable(() => {
      entry.disposed = true;
      entry.controller?.abort(new GroupClosedError("leader task disposed"));
      this._tasks.delete(entry);
    });
  }
  _startTask(entry) {
    const token = this._election.token;
    const leadership = this._election.leadershipSignal;
    if (token === void 0 || entry.disposed || leadership.aborted)
      return;
    const controller = new AbortController();
    entry.controller = controller;
    const off = onAbort(leadership, () => controller.abort(leadership.reason));
    const backoff = createBackoff({ initialMs: 100, maxMs: 1e4 });
    const run = (async () => {
      while (!controller.signal.aborted) {
        try {
          await entry.task(controller.signal, token);
          return;
        } catch (err) {
          if (controller.signal.aborted || isAbortError(err))
            return;
          this._metrics.errors.inc({ kind: "task" });
          this._logger.error({ err, fencingToken: token }, "leader task failed; starting it again after a backoff");
          await abortableDelay(backoff.next(), { signal: controller.signal }).catch(() => {
          });
        }
      }
    })().finally(() => {
      off.dispose();
      this._running.delete(run);
    });
    this._running.add(run);
  }
  // ---- calls ----
  /** Serves `method` while this member leads. Dispose the result to stop. */
  handle(method, handler) {
    if (this._handlers.has(method))
      throw new InvalidArgumentError(`group '${this.name}': a handler for '${method}' is already registered`);
    this._handlers.set(method, handler);
    return toDisposable(() => {
      if (this._handlers.get(method) === handler)
        this._handlers.delete(method);
    });
  }
  /**
   * Calls `method` on the current leader (this member, if it leads). Waits for a leader (within
   * the timeout) when there is none. A call is sent at most once: if the leader goes away before
   * answering, it fails with ELEADERCHANGED (retryable; it may have run). A leader that turned
   * out not to lead answers ENOTLEADER without running it, and the call goes to the next leader.
   */
  async call(method, params, options = {}) {
    const timeoutMs = options.timeoutMs ?? 3e4;
    const deadline = performance.now() + timeoutMs;
    for (; ; ) {
      throwIfAborted(options.signal);
      if (this._closed)
        throw new GroupClosedError(`group '${this.name}' is closed`);
      if (this._election.isLeader) {
        return await this._runHandler(method, params, options.signal ? [options.signal] : [], this._self());
      }
      const client = this._client;
      if (client) {
        const remaining = deadline - performance.now();
        if (remaining <= 0)
          throw new NoLeaderError(`call '${method}': no answer from a leader within ${timeoutMs} ms`);
        try {
          const result = await client.request(methods.call, { method, params }, { timeoutMs: remaining, signal: options.signal });
          this._metrics.calls.inc({ outcome: "ok" });
          return result;
        } catch (err) {
          const code = err.code;
          if (code === "ECONNLOST") {
            this._metrics.calls.inc({ outcome: "leader-changed" });
            throw new LeaderChangedError(`call '${method}': the leader went away before answering; it may have run`, { cause: err, data: { method } });
          }
          if (code !== "ENOTLEADER") {
            this._metrics.calls.inc({ outcome: "error" });
            throw err;
          }
          await this._whenConnectedOrLeader(deadline - performance.now(), options.signal, client).catch((waitErr) => {
            throw isAbortError(waitErr) ? waitErr : new NoLeaderError(`call '${method}': no leader within ${timeoutMs} ms`, { cause: err });
          });
          continue;
        }
      }
      await this._whenConnectedOrLeader(deadline - performance.now(), options.signal).catch((err) => {
        throw isAbortError(err) ? err : new NoLeaderError(`call '${method}': no leader within ${timeoutMs} ms (an election may be in progress)`);
      });
    }
  }
  async _runHandler(method, params, signals, caller) {
    const token = this._election.token;
    if (token === void 0)
      throw new NotLeaderError(`member ${this.id} of group '${this.name}' is not the leader`);
    const handler = this._handlers.get(method);
    if (!handler)
      throw new MethodNotFoundError(`group '${this.name}': no handler for '${method}' on the leader`, { data: { method } });
    const link = new LinkedAbortController([this._election.leadershipSignal, ...signals]);
    this._metrics.callsServed.inc();
    try {
      return await handler(params, { signal: link.signal, token, caller });
    } finally {
      link.dispose();
    }
  }
  // ---- pub/sub ----
  /**
   * Sends `payload` to every member's subscribers of `topic`, this member's included. At most
   * once: a message sent while a follower has no leader connection (a failover) is dropped.
   */
  publish(topic, payload) {
    if (this._closed)
      throw new GroupClosedError(`group '${this.name}' is closed`);
    this._deliver(topic, payload);
    if (this.role === "leader")
      this._server?.publish(topics.user(topic), payload);
    else if (this._client)
      this._client.notify(methods.publish, { topic, payload });
    else
      this._metrics.dropped.inc();
  }
  subscribe(topic, listener) {
    let set = this._listeners.get(topic);
    if (!set) {
      set = /* @__PURE__ */ new Set();
      this._listeners.set(topic, set);
      this._client?.subscribe(topics.user(topic), (payload) => this._deliver(topic, payload));
    }
    set.add(listener);
    return toDisposable(() => set.delete(listener));
  }
  _deliver(topic, payload) {
    for (const listener of [...this._listeners.get(topic) ?? []]) {
      try {
        listener(payload);
      } catch (err) {
        this._metrics.errors.inc({ kind: "listener" });
        this._logger.warn({ err, topic }, "subscriber threw");
      }
    }
  }
  // ---- serving (as leader) ----
  async _serveJoin(params, context) {
    const join9 = this._checked(() => parseJoin(params), context);
    if (!this._election.isLeader) {
      await this._whenLeader(this._leaseMs, context.signal);
    }
    const member = { id: join9.id, pid: join9.pid, metadata: join9.metadata, leader: false, joinedAt: (/* @__PURE__ */ new Date()).toISOString() };
    this._followers.set(context.peer.id, member);
    this._membersChanged();
    const stores = {};
    for (const [name2, store] of this._stores)
      stores[name2] = store.version;
    return { token: this._election.token ?? 0, members: this.members, stores };
  }
  _serveCall(params, context) {
    const call = this._checked(() => parseCall(params), context);
    if (!this._election.isLeader)
      throw new NotLeaderError(`member ${this.id} of group '${this.name}' is not the leader`);
    return this._runHandler(call.method, call.params, [context.signal], this._followers.get(context.peer.id));
  }
  _servePublish(params, context) {
    const message = this._quietly(() => parsePublish(params), context);
    if (!message || !this._election.isLeader)
      return;
    this._deliver(message.topic, message.payload);
    this._server?.publish(topics.user(message.topic), message.payload, context.peer.id);
  }
  _serveStored(params, context) {
    const notice = this._quietly(() => parseStoreNotice(params), context);
    if (!notice || !this._election.isLeader)
      return;
    this._server?.publish(topics.store, notice, context.peer.id);
    this._receiveStoreNotice(notice);
  }
  /** Parses a peer's request; a bad one is logged and refused (the error goes back to the peer). */
  _checked(parse2, context) {
    try {
      return parse2();
    } catch (err) {
      this._metrics.errors.inc({ kind: "bad-message" });
      this._logger.warn({ err, peer: context.peer.id, pid: context.peer.pid }, "refused a bad message from a member");
      throw err;
    }
  }
  /** Parses a peer's notification; a bad one is logged and dropped (nobody waits for an answer). */
  _quietly(parse2, context) {
    try {
      return this._checked(parse2, context);
    } catch {
      return void 0;
    }
  }
  _membersChanged() {
    this._onDidChangeMembers.fire(this.members);
    this._membersTimer ??= setTimeout(() => {
      this._membersTimer = void 0;
      if (this.role === "leader")
        this._server?.publish(topics.members, { members: this.members });
    }, membersBroadcastDelayMs);
  }
  /**
   * Removes the socket files of members that died without leaving (SIGKILL, a crashed host), once
   * per term, by the leader only: a member's files are named `<group>.<12 hex>.sock` beside the
   * group's, and a live member holds the OS lock of its `.sock.lock`, so only the dead are swept.
   * Sockets moved to the runtime directory (a long path) have hashed names and are left alone.
   */
  _sweepStaleSockets() {
    const own2 = (0, import_node_path9.basename)(this._socket);
    const suffix = `.${shortHash(this.id).slice(0, 12)}.sock`;
    if (process.platform === "win32" || (0, import_node_path9.dirname)(this._socket) !== this._dir || !own2.endsWith(suffix))
      return;
    const prefix = own2.slice(0, -suffix.length + 1);
    try {
      const removed = removeStaleSocketFiles(this._dir, (file) => file !== own2 && file.startsWith(prefix) && /^[0-9a-f]{12}\.sock$/.test(file.slice(prefix.length)));
      if (removed > 0)
        this._logger.info({ removed }, "removed the socket files of members that died");
    } catch (err) {
      this._logger.warn({ err }, "could not sweep the socket files of dead members");
    }
  }
  _self() {
    return { id: this.id, pid: process.pid, metadata: this._options.metadata, leader: this.role === "leader", joinedAt: this._joinedAt };
  }
  // ---- following ----
  _onRole(change) {
    const role = change.role === "stopped" ? "closed" : change.role;
    const previous = change.previous === "stopped" ? "closed" : change.previous;
    if (role === "leader") {
      this._metrics.leadershipChanges.inc();
      this._unfollow();
      this._followers.clear();
      const token = change.token;
      setTimeout(() => {
        if (!this._closed && this._election.token === token)
          this._sweepStaleSockets();
      }, 200).unref();
      for (const entry of this._tasks)
        this._startTask(entry);
    } else if (previous === "leader") {
      this._metrics.leadershipChanges.inc();
      for (const entry of this._tasks)
        entry.controller?.abort(new NotLeaderError("the term ended"));
      this._followers.clear();
    }
    this._onDidChangeRole.fire({ role, previous, token: change.token, reason: change.reason });
    if (role === "leader")
      this._membersChanged();
    this._wake();
  }
  _onLeader(info) {
    this._onDidChangeLeader.fire(toGroupLeader(info));
    if (this._closed)
      return;
    if (!info || info.id === this.id) {
      if (!info)
        this._unfollow();
      return;
    }
    this._follow(info);
  }
  _follow(info) {
    this._unfollow();
    const seq = this._followSeq;
    const socket = info.metadata?.socket;
    if (typeof socket !== "string") {
      this._logger.warn({ leader: info.id, fencingToken: info.token }, "the leader published no socket (another program holds this group name?); waiting for the next leader");
      return;
    }
    void this._connectLoop(seq, info, socket);
  }
  _unfollow() {
    this._followSeq++;
    const client = this._client;
    if (!client)
      return;
    this._client = void 0;
    this._lostAt ??= performance.now();
    void client.close();
    this._onDidChangeConnection.fire({ connected: false });
  }
  async _connectLoop(seq, info, socket) {
    let delayMs = 1;
    while (seq === this._followSeq && !this._closed) {
      try {
        await this._connect(seq, info, socket);
        return;
      } catch (err) {
        if (seq !== this._followSeq || this._closed)
          return;
        this._logger.debug({ err, leader: info.id, fencingToken: info.token }, "could not join the leader yet; retrying");
        await new Promise((resolve2) => setTimeout(resolve2, delayMs).unref());
        delayMs = Math.min(delayMs * 2, 1e3);
      }
    }
  }
  async _connect(seq, info, socket) {
    const client = new IpcClient({
      path: socket,
      auth: { token: this._authToken },
      name: `${this.name}/${this.id}`,
      reconnect: false,
      heartbeat: this._heartbeat,
      logger: this._logger
    });
    try {
      await client.connect();
      if (seq !== this._followSeq || this._closed)
        throw new GroupClosedError("superseded");
      client.subscribe(topics.members, (payload) => this._receiveMembers(client, payload));
      client.subscribe(topics.store, (payload) => this._receiveFromLeader(() => this._receiveStoreNotice(parseStoreNotice(payload))));
      for (const topic of this._listeners.keys())
        client.subscribe(topics.user(topic), (payload) => this._deliver(topic, payload));
      const welcome = parseWelcome(await client.request(methods.join, { id: this.id, pid: process.pid, metadata: this._options.metadata, term: info.token }, { timeoutMs: this._leaseMs * 2 }));
      if (seq !== this._followSeq || this._closed)
        throw new GroupClosedError("superseded");
      this._client = client;
      this._memberList = welcome.members;
      client.onDidChangeConnection(({ state }) => {
        if (state === "closed" && this._client === client)
          this._onConnectionLost(client, info);
      });
      if (this._lostAt !== void 0) {
        this._metrics.observeFailover(performance.now() - this._lostAt);
        this._lostAt = void 0;
      }
      for (const [name2, version2] of Object.entries(welcome.stores))
        this._receiveStoreNotice({ store: name2, version: version2, at: 0 });
      this._logger.info({ leader: info.id, fencingToken: welcome.token, members: welcome.members.length }, "joined the leader");
      this._onDidChangeConnection.fire({ connected: true });
      this._onDidChangeMembers.fire(this._memberList);
      this._wake();
    } catch (err) {
      void client.close();
      throw err;
    }
  }
  _onConnectionLost(client, info) {
    if (this._client !== client)
      return;
    this._client = void 0;
    this._lostAt = performance.now();
    this._onDidChangeConnection.fire({ connected: false });
    const seq = this._followSeq;
    setTimeout(() => {
      if (seq === this._followSeq && !this._closed && this._election.leader?.id === info.id && info.id !== this.id)
        this._follow(info);
    }, 50).unref();
  }
  _receiveMembers(client, payload) {
    this._receiveFromLeader(() => {
      const members2 = parseMembers(payload);
      if (this._client !== client)
        return;
      this._memberList = members2;
      this._onDidChangeMembers.fire(members2);
    });
  }
  _receiveFromLeader(receive) {
    try {
      receive();
    } catch (err) {
      this._metrics.errors.inc({ kind: "bad-message" });
      this._logger.warn({ err }, "ignored a bad message from the leader");
    }
  }
  // ---- waiting ----
  _wake() {
    this._onDidSettle.fire();
  }
  /** Resolves when this member leads or (as a follower) is connected to a leader other than `not`. */
  _whenConnectedOrLeader(timeoutMs, signal, not) {
    return this._waitUntil(() => this._election.isLeader || this._client !== void 0 && this._client !== not, timeoutMs, signal);
  }
  async _whenLeader(timeoutMs, signal) {
    await this._waitUntil(() => this._election.isLeader || this._election.role !== "follower", timeoutMs, signal).catch((err) => {
      throw isAbortError(err) ? err : new NotLeaderError(`member ${this.id} of group '${this.name}' is not the leader`);
    });
    if (!this._election.isLeader)
      throw new NotLeaderError(`member ${this.id} of group '${this.name}' is not the leader`);
  }
  /** Resolves once `ready()` holds (checked whenever the role or the connection changes); rejects with NoLeaderError after `timeoutMs`. */
  async _waitUntil(ready, timeoutMs, signal) {
    if (!this._closed && ready())
      return;
    if (!this._closed)
      await waitForEvent(this._onDidSettle.event, () => this._closed || ready(), timeoutMs, signal, () => new NoLeaderError("timed out"));
    if (this._closed)
      throw new GroupClosedError(`group '${this.name}' is closed`);
  }
  // ---- shutdown ----
  /**
   * Leaves the group, synchronously: aborts leader tasks, resigns (a follower takes over at
   * once), closes connections, the server and the stores. Pending calls fail.
   */
  dispose() {
    if (this._closed)
      return;
    this._closed = true;
    clearTimeout(this._membersTimer);
    this._metrics.dispose();
    for (const entry of this._tasks)
      entry.controller?.abort(new GroupClosedError("group closed"));
    this._election.dispose();
    this._unfollow();
    this._server?.dispose();
    for (const store of this._stores.values())
      store.dispose();
    this._wake();
    super.dispose();
  }
  /**
   * Leaves gracefully: finishes the stores' writes, ends the term (a follower takes over at once),
   * keeps answering ENOTLEADER (so calls in flight go to the next leader rather than fail) until
   * the followers have moved on or a second passed, then dispose(), and waits for leader tasks to
   * settle and the server to close.
   */
  close() {
    this._closePromise ??= (async () => {
      const stores = [...this._stores.values()];
      await Promise.allSettled(stores.map((store) => store.close()));
      for (const entry of this._tasks)
        entry.controller?.abort(new GroupClosedError("group closed"));
      const server = this._server;
      await this._election.close();
      if (server && server.peers.length > 0) {
        await waitForEvent(server.onDidDisconnect, () => server.peers.length === 0, Math.min(this._leaseMs, 1e3)).catch(() => {
        });
      }
      this.dispose();
      await Promise.allSettled([server?.close(), ...this._running]);
    })();
    return this._closePromise;
  }
};
async function waitForEvent(event, done, timeoutMs, signal, onTimeout) {
  const link = new LinkedAbortController([signal]);
  const timer = setTimeout(() => link.abort(onTimeout?.() ?? new TimeoutError(`no change within ${timeoutMs} ms`)), Math.max(0, timeoutMs));
  try {
    await eventToPromise(event, { signal: link.signal, filter: done });
  } finally {
    clearTimeout(timer);
    link.dispose();
  }
}
function toGroupLeader(info) {
  if (!info)
    return void 0;
  const metadata = info.metadata?.member;
  return { id: info.id, pid: info.pid, metadata, token: info.token, since: info.since };
}
async function joinGroup(options) {
  const group = new Group(options);
  try {
    await group.start();
  } catch (err) {
    await group.close();
    throw err;
  }
  return group;
}

// src/core/healthWatch.ts
var configSchema = record(string2(), object({ pid: number2(), endpoints: array(looseObject({ id: string2(), name: string2(), type: _enum(["http", "tcp", "command"]) })) }));
var groupName = "health-watch";
var mutedKey = "mutedEndpoints";
var absentGraceMs = 5e3;
var HealthWatch = class _HealthWatch extends Disposable {
  constructor(_options, group, _results, _config, shared) {
    super();
    this._options = _options;
    this.group = group;
    this._results = _results;
    this._config = _config;
    this.shared = shared;
    this._logger = (_options.logger ?? noopLogger).child({ pkg: "extension", component: "health-watch" });
    this._now = _options.now ?? Date.now;
    this._limiter = new NotificationLimiter(_options.notificationsPerMinute ?? 3, 6e4);
    this.lifecycle = this._register(new Lifecycle(this._logger));
    this._register(shared);
    this._register(_results.onDidChange(({ value }) => this._onDidChangeResults.fire(value)));
    this._register(shared.onDidChange(({ keys }) => keys.includes(mutedKey) && this._onDidChangeMuted.fire(this.muted)));
    this._register(_config.onDidChange(() => this._wake?.()));
    for (const event of [group.onDidChangeRole, group.onDidChangeLeader, group.onDidChangeMembers, group.onDidChangeConnection]) {
      this._register(event(() => this._onDidChangeRole.fire()));
    }
    this._register(group.onDidChangeMembers(() => this._pruneConfig()));
    this._register(group.runWhileLeader((signal, token) => this._lead(signal, token)));
    this._register(group.handle("runNow", (_params, { token, signal }) => this._runAll(token, signal, true)));
  }
  _options;
  group;
  _results;
  _config;
  shared;
  _onDidChangeResults = this._register(new Emitter());
  onDidChangeResults = this._onDidChangeResults.event;
  _onDidChangeMuted = this._register(new Emitter());
  onDidChangeMuted = this._onDidChangeMuted.event;
  _onDidChangeRole = this._register(new Emitter());
  /** The role, leader or members changed. */
  onDidChangeCoordination = this._onDidChangeRole.event;
  lifecycle;
  _logger;
  _now;
  _limiter;
  _endpoints = [];
  /** Wakes the leader's probe loop (config changed, Run Now). */
  _wake;
  _closing;
  /** At the leader: since when each window with endpoints has not been a member (performance.now()). */
  _absentSince = /* @__PURE__ */ new Map();
  _pruneTimer;
  /** Joins the windows' group and opens the shared stores. */
  static async start(options) {
    const group = await joinGroup({ dir: options.dir, name: groupName, id: options.id, metadata: { window: options.window ?? "" }, logger: options.logger, leaseMs: options.leaseMs, heartbeatMs: 5e3 });
    try {
      const pollMs = 3e4;
      const results = await group.store("results", { initial: emptyResults, schema: storeSchema(resultsSchema), ifUnreadable: "reset", pollMs });
      const config2 = await group.store("config", { initial: {}, schema: storeSchema(configSchema), ifUnreadable: "reset", pollMs });
      const shared = new SharedStorage(await group.store("shared", { initial: emptySharedData, schema: storeSchema(sharedDataSchema), pollMs }));
      const watch2 = new _HealthWatch(options, group, results, config2, shared);
      watch2.lifecycle.ready();
      return watch2;
    } catch (err) {
      await group.close();
      throw err;
    }
  }
  get results() {
    return this._results.get();
  }
  get muted() {
    return this.shared.get(mutedKey, []);
  }
  /** The endpoints this window configures (the leader probes the union of every window's). */
  get endpoints() {
    return this._endpoints;
  }
  /** Sets this window's endpoints (from settings and the workspace file) and shares them with the leader. */
  setEndpoints(endpoints) {
    return this.lifecycle.reload("apply configuration", async () => {
      this._endpoints = endpoints;
      const me = this.group.id;
      await this._config.update((current) => ({ ...current, [me]: { pid: process.pid, endpoints } }));
    });
  }
  /** Mutes (or unmutes) an endpoint in every window: no notifications for it. */
  setMuted(endpointId, muted) {
    return this.lifecycle.track(muted ? "mute" : "unmute", async () => {
      await this.shared.update(mutedKey, (current = []) => {
        const without = current.filter((id) => id !== endpointId);
        return muted ? [...without, endpointId] : without;
      });
    });
  }
  /** Runs every probe now, on the leader (this window or another), and resolves when the results are stored. */
  runNow(timeoutMs = 6e4) {
    return this.lifecycle.track("run probes now", () => this.group.call("runNow", void 0, { timeoutMs }));
  }
  async coordinationStatus() {
    return {
      role: this.group.role,
      self: this.group.id,
      leader: this.group.leader,
      members: this.group.members,
      metrics: await this.group.metrics(),
      lifecycle: this.lifecycle.state
    };
  }
  /** Every endpoint any live window configures, each once. */
  allEndpoints() {
    const byId = /* @__PURE__ */ new Map();
    for (const entry of Object.values(this._config.get())) {
      for (const endpoint of entry.endpoints) {
        const known = byId.get(endpoint.id);
        if (!known || endpoint.intervalMs < known.intervalMs) byId.set(endpoint.id, endpoint);
      }
    }
    return [...byId.values()];
  }
  // ---- leader ----
  /** The leader's probe loop, for one term: probes what is due, sleeps until the next is due or something changes. */
  async _lead(signal, token) {
    this._logger.info({ fencingToken: token }, "leading: probing for every window");
    this._pruneConfig();
    while (!signal.aborted) {
      await this._runAll(token, signal, false);
      const endpoints = this.allEndpoints();
      const results = this._results.get();
      const now = this._now();
      const next = Math.min(...endpoints.map((e) => nextDue(results.endpoints[e.id], e)), now + 6e4);
      await new Promise((resolve2) => {
        const timer = setTimeout(done, Math.max(0, next - now));
        this._wake = done;
        signal.addEventListener("abort", done, { once: true });
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve2();
        }
      });
      this._wake = void 0;
    }
  }
  /** Probes every endpoint that is due (all of them with `all`), in parallel, and stores the results fenced by `token`. */
  async _runAll(token, signal, all) {
    const endpoints = this.allEndpoints();
    const now = this._now();
    const results = this._results.get();
    if (results.term > token) return { probed: 0, up: 0, down: 0, by: this.group.id };
    const due = all ? endpoints : endpoints.filter((e) => isDue(results.endpoints[e.id], e, now));
    const outcomes = await Promise.all(due.map(async (endpoint) => ({ endpoint, result: await runProbe(endpoint, signal), at: this._now() })));
    if (signal.aborted && !all) return { probed: 0, up: 0, down: 0, by: this.group.id };
    if (outcomes.length > 0 || Object.keys(results.endpoints).length !== endpoints.length) await this._record(outcomes, endpoints, token);
    const up = outcomes.filter((o) => o.result.ok).length;
    return { probed: outcomes.length, up, down: outcomes.length - up, by: this.group.id };
  }
  async _record(outcomes, endpoints, token) {
    const transitions = [[], []];
    try {
      await this._results.update((current) => {
        transitions[0] = [];
        transitions[1] = [];
        if (current.term > token) return current;
        let next = pruneResults(current, endpoints, token);
        for (const { endpoint, result, at } of outcomes) {
          const applied = applyProbe(next, endpoint, result, token, at, this._options.breaker);
          next = applied.results;
          if (applied.transition) transitions[applied.transition.kind === "down" ? 0 : 1].push(applied.transition.incident);
        }
        return { ...next, term: token };
      });
    } catch (err) {
      if (!isAbortError(err)) this._logger.error({ err }, "could not store the probe results");
      return;
    }
    for (const incident of transitions[0]) this._announce(incident, "error");
    for (const incident of transitions[1]) this._announce(incident, "info");
  }
  /** One notification per incident, in the leader's window, unless muted or over the rate limit. */
  _announce(incident, severity) {
    this._logger.info({ endpoint: incident.name, incident: incident.id, severity }, severity === "error" ? "endpoint down" : "endpoint recovered");
    if (this.muted.includes(incident.endpoint)) return;
    const take = this._limiter.take();
    if (!take.allowed) return;
    const held = take.suppressed > 0 ? ` (${take.suppressed} more notification${take.suppressed === 1 ? "" : "s"} held back in the last minute)` : "";
    const message = severity === "error" ? `${incident.name} is down: ${incident.detail}${held}` : `${incident.name} is up again after ${formatDuration((incident.endedAt ?? this._now()) - incident.startedAt)}${held}`;
    try {
      this._options.host.notify({ severity, message, endpoint: incident.endpoint });
    } catch (err) {
      this._logger.warn({ err }, "the window could not show a notification");
    }
  }
  /**
   * Drops the endpoints of windows that are gone without leaving (a crashed extension host): their
   * process is dead, or they have not been members for `absentGraceMs` (a process that is dead but
   * not yet reaped still answers to its pid; and right after a failover every window is briefly
   * absent while it joins the new leader, hence the grace).
   */
  _pruneConfig() {
    if (this.group.role !== "leader") return;
    const now = performance.now();
    const members2 = new Set(this.group.members.map((m) => m.id));
    const entries = Object.entries(this._config.get()).filter(([id]) => id !== this.group.id);
    for (const id of [...this._absentSince.keys()]) if (members2.has(id) || !entries.some(([e]) => e === id)) this._absentSince.delete(id);
    const gone = /* @__PURE__ */ new Set();
    for (const [id, entry] of entries) {
      if (members2.has(id)) continue;
      const since = this._absentSince.get(id) ?? now;
      this._absentSince.set(id, since);
      if (!isAlive(entry.pid) || now - since >= absentGraceMs) gone.add(id);
    }
    if (entries.some(([id]) => !members2.has(id) && !gone.has(id))) {
      clearTimeout(this._pruneTimer);
      this._pruneTimer = setTimeout(() => this._pruneConfig(), absentGraceMs + 100);
      this._pruneTimer.unref?.();
    }
    if (gone.size === 0) return;
    for (const id of gone) this._absentSince.delete(id);
    void this._config.update((current) => Object.fromEntries(Object.entries(current).filter(([id]) => !gone.has(id)))).catch((err) => this._logger.warn({ err }, "could not drop the endpoints of closed windows"));
  }
  // ---- shutdown ----
  /**
   * Leaves: stops new operations and waits (up to `timeoutMs`) for those running, withdraws this
   * window's endpoints, and resigns, so another window takes over at once.
   */
  close(timeoutMs = 3e3) {
    this._closing ??= (async () => {
      const me = this.group.id;
      const withdraw = this._config.update((current) => Object.fromEntries(Object.entries(current).filter(([id]) => id !== me))).catch(() => void 0);
      await this.lifecycle.shutdown(timeoutMs);
      await withDeadline(withdraw, timeoutMs);
      await this.group.close();
      this.dispose();
    })();
    return this._closing;
  }
  dispose() {
    clearTimeout(this._pruneTimer);
    this.group.dispose();
    super.dispose();
  }
};
async function withDeadline(promise, ms) {
  let timer;
  await Promise.race([promise, new Promise((resolve2) => timer = setTimeout(resolve2, ms))]);
  clearTimeout(timer);
}
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}
function formatDuration(ms) {
  const s = Math.round(ms / 1e3);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

// src/core/logging.ts
function createChannelLogger(sink, bindings = {}) {
  const write2 = (level) => (obj, msg) => {
    const fields = { ...bindings, ...obj };
    if (fields.err !== void 0) fields.err = serializeError(fields.err, { stacks: level === "error" });
    const json = Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : "";
    try {
      sink[level](`${msg ?? ""}${json}`);
    } catch {
    }
  };
  return {
    trace: write2("trace"),
    debug: write2("debug"),
    info: write2("info"),
    warn: write2("warn"),
    error: write2("error"),
    child: (more) => createChannelLogger(sink, { ...bindings, ...more })
  };
}
function safeJson(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return "[unserializable]";
  }
}

// src/core/dashboard.ts
function parseFromDashboard(message) {
  if (typeof message !== "object" || message === null) return void 0;
  const m = message;
  if (m.type === "runNow") return { type: "runNow" };
  if (m.type === "mute" && typeof m.id === "string" && m.id.length < 2e3 && typeof m.muted === "boolean") return { type: "mute", id: m.id, muted: m.muted };
  return void 0;
}
function summarize(results) {
  const counts = { up: 0, down: 0, unknown: 0 };
  for (const status of Object.values(results.endpoints)) counts[status.state]++;
  return counts;
}
function dashboardHtml(nonce, cspSource) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource} data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Health Watch</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px; }
  h1 { font-size: 1.3em; font-weight: 600; }
  h2 { font-size: 1.05em; font-weight: 600; margin-top: 1.5em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border); vertical-align: middle; }
  .up { color: var(--vscode-testing-iconPassed); }
  .down { color: var(--vscode-testing-iconFailed); }
  .unknown { color: var(--vscode-descriptionForeground); }
  .muted { opacity: 0.6; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 3px 10px; cursor: pointer; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  svg polyline { fill: none; stroke: var(--vscode-charts-blue); stroke-width: 1.5; }
  svg circle.fail { fill: var(--vscode-charts-red); }
  .meta { color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
<h1>Health Watch <span id="summary" class="meta"></span></h1>
<p><button id="run">Run Probes Now</button> <span id="role" class="meta"></span></p>
<table><thead><tr><th>Endpoint</th><th>State</th><th>Latency</th><th>Uptime</th><th>Breaker</th><th>Last 60 probes (latency)</th><th></th></tr></thead><tbody id="endpoints"></tbody></table>
<h2>Incidents</h2>
<table><thead><tr><th>Endpoint</th><th>Started</th><th>Ended</th><th>What</th></tr></thead><tbody id="incidents"></tbody></table>
<script nonce="${nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  let results = { endpoints: {}, incidents: [] };
  let muted = [];
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; };
  const time = (ms) => ms === undefined ? '' : new Date(ms).toLocaleString();
  function chart(history) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '180'); svg.setAttribute('height', '28');
    const max = Math.max(1, ...history.map((h) => h.latencyMs));
    const x = (i) => (history.length < 2 ? 90 : (i * 176) / (history.length - 1) + 2);
    const y = (v) => 26 - (v / max) * 24;
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', history.map((h, i) => x(i) + ',' + y(h.latencyMs)).join(' '));
    svg.appendChild(line);
    history.forEach((h, i) => { if (!h.ok) { const c = document.createElementNS(ns, 'circle'); c.setAttribute('cx', x(i)); c.setAttribute('cy', '24'); c.setAttribute('r', '2'); c.setAttribute('class', 'fail'); svg.appendChild(c); } });
    const title = document.createElementNS(ns, 'title'); title.textContent = 'max ' + max + ' ms'; svg.appendChild(title);
    return svg;
  }
  function render() {
    const list = Object.values(results.endpoints).sort((a, b) => a.name.localeCompare(b.name));
    const counts = { up: 0, down: 0, unknown: 0 };
    list.forEach((s) => counts[s.state]++);
    document.getElementById('summary').textContent = counts.up + ' up, ' + counts.down + ' down' + (counts.unknown ? ', ' + counts.unknown + ' not yet probed' : '');
    const body = document.getElementById('endpoints');
    body.replaceChildren();
    for (const s of list) {
      const isMuted = muted.includes(s.id);
      const row = el('tr', undefined, isMuted ? 'muted' : '');
      const name = el('td'); name.appendChild(el('div', s.name)); name.appendChild(el('div', s.target, 'meta')); row.appendChild(name);
      const state = el('td', s.state, s.state); state.title = s.detail || ''; row.appendChild(state);
      row.appendChild(el('td', s.latencyMs === undefined ? '' : s.latencyMs + ' ms'));
      row.appendChild(el('td', s.checks ? ((100 * s.ups) / s.checks).toFixed(1) + '%' : ''));
      row.appendChild(el('td', s.breaker.state + (s.breaker.state === 'open' ? ' until ' + time(s.breaker.retryAt) : '')));
      const graph = el('td'); graph.appendChild(chart(s.history)); row.appendChild(graph);
      const action = el('td'); const b = el('button', isMuted ? 'Unmute' : 'Mute');
      b.addEventListener('click', () => vscode.postMessage({ type: 'mute', id: s.id, muted: !isMuted }));
      action.appendChild(b); row.appendChild(action);
      body.appendChild(row);
    }
    const incidents = document.getElementById('incidents');
    incidents.replaceChildren();
    for (const i of [...results.incidents].reverse().slice(0, 50)) {
      const row = el('tr', undefined, i.endedAt === undefined ? 'down' : '');
      row.appendChild(el('td', i.name)); row.appendChild(el('td', time(i.startedAt))); row.appendChild(el('td', i.endedAt === undefined ? 'ongoing' : time(i.endedAt))); row.appendChild(el('td', i.detail));
      incidents.appendChild(row);
    }
  }
  window.addEventListener('message', (event) => {
    const m = event.data;
    if (m.type === 'snapshot') { results = m.results; muted = m.muted; document.getElementById('role').textContent = 'this window: ' + m.role; }
    else if (m.type === 'results') results = m.results;
    else if (m.type === 'muted') muted = m.muted;
    else if (m.type === 'role') document.getElementById('role').textContent = 'this window: ' + m.role;
    render();
  });
  document.getElementById('run').addEventListener('click', () => vscode.postMessage({ type: 'runNow' }));
  vscode.postMessage({ type: 'ready' });
})();
</script>
</body>
</html>`;
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  HealthWatch,
  Lifecycle,
  NotificationLimiter,
  SharedStorage,
  ShuttingDownError,
  WebviewBridge,
  applyProbe,
  breakerAllows,
  closedBreaker,
  createChannelLogger,
  dashboardHtml,
  emptyResults,
  endpointSchema,
  formatDuration,
  formatIssue,
  groupName,
  historyLength,
  incidentsKept,
  nextBreaker,
  parseEndpoints,
  parseFromDashboard,
  parseWorkspaceFile,
  runProbe,
  summarize
});
