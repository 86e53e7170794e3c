// The strict MLflow scoring server: the 2.x payloads are accepted against the model's signature; a tensor-signature
// model refuses extra columns with MLflow's messages; answers take every pyfunc shape _get_jsonable_obj produces.
// Rules: mlflow/mlflow mlflow/pyfunc/scoring_server/__init__.py, mlflow/utils/proto_json_utils.py,
// mlflow/models/utils.py _enforce_tensor_schema / _enforce_tensor_spec, mlflow/pyfunc/__init__.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ConformanceCase, caseModel, conformance, errorText, post, shapeDiff, withStrict } from './helpers.js';

const all = conformance('2-mlflow.json');
const byId = (id: string) => all.find((c) => c.id === id)!;
const accepted = all.filter((c) => c.request?.acceptor === 'mlflowScoring');

/** A strict config for the case: a column signature typed from its rows, or the tensor signature it names. */
function configFor(c: ConformanceCase, mlflow: Record<string, unknown> = {}) {
  const width = (c.request?.params.tensorInput as { width: number } | undefined)?.width;
  const features = width ? c.fieldNames.slice(0, width) : c.fieldNames;
  const types = (c.request?.params.columnTypes ?? {}) as Record<string, string>;
  const typeOf = (f: string) => types[f] ?? (c.rows.every((r) => Number.isInteger(r[f])) ? 'long' : typeof c.rows[0][f] === 'number' ? 'double' : 'string');
  const inputs = width
    ? [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, width] } }]
    : features.map((f) => ({ name: f, type: typeOf(f) }));
  return { model: caseModel({ ...c, fieldNames: features }), mlflow: { signature: { inputs }, ...mlflow } };
}

test('the MLflow conformance cases with requests are present', () => {
  assert.deepEqual(accepted.map((c) => c.id), ['MLF-1', 'MLF-2', 'MLF-11', 'MLF-11b']);
});

for (const c of accepted) {
  test(`${c.id}: MLflow accepts the upstream payload and answers {"predictions": [...]} (${c.source})`, async () => {
    await withStrict('mlflow', configFor(c), async (s) => {
      const r = await post(`${s.url}/invocations`, c.request!.upstream);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(shapeDiff(r.json, byId('MLF-3').response), []);
      assert.equal((r.json as { predictions: unknown[] }).predictions.length, c.rows.length);
    });
  });
}

test('MLF-11b: a tensor-signature model refuses a non-input column: string → cast error, numeric → the unnamed-input message', async () => {
  const c = byId('MLF-11b');
  await withStrict('mlflow', configFor(c), async (s) => {
    const split = { dataframe_split: { columns: c.fieldNames, data: c.rows.map((r) => c.fieldNames.map((f) => r[f])) } };
    let r = await post(`${s.url}/invocations`, split);
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, {
      error_code: 'BAD_REQUEST',
      message: `Data is not compatible with model signature. Failed to convert column device_id to type 'float64'. Error: 'ValueError("could not convert string to float: '0x100000000001d'")'`,
    });
    const numeric = { dataframe_split: { columns: [...c.fieldNames.slice(0, 4), 'seq'], data: [[4.6, 3.6, 1.0, 0.2, 17]] } };
    r = await post(`${s.url}/invocations`, numeric);
    assert.equal(r.status, 400);
    assert.equal((r.json as { error_code: string }).error_code, 'INVALID_PARAMETER_VALUE');
    assert.match(errorText(r), /^Failed to predict data '.*'\. \nError: Failed to enforce schema of data '.*' with schema '\[Tensor\('float64', \(-1, 4\)\)\]'\. Error: This model contains a model signature with an unnamed input\. .* Instead, the input DataFrame passed had 5 columns and an input shape of \(-1, 4\)/s);
    r = await post(`${s.url}/invocations`, { inputs: [[4.6, 3.6, 1.0, 0.2, 17]] });
    assert.equal(r.status, 400);
    assert.match(errorText(r), /Error: Shape of input \(1, 5\) does not match expected shape \(-1, 4\)\.$/);
  });
});

test('MLF-12: an MLflow 1.x request is refused by a 2.x server (content type parameter → 415, bare split frame → 400)', async () => {
  const c = byId('MLF-12');
  await withStrict('mlflow', configFor(c), async (s) => {
    let r = await post(`${s.url}/invocations`, c.request!.upstream, { 'content-type': 'application/json; format=pandas-split' });
    assert.equal(r.status, 415);
    assert.match(r.text, /^Unrecognized content type parameters: format\. IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2\.0\./);
    r = await post(`${s.url}/invocations`, c.request!.upstream);
    assert.equal(r.status, 400);
    assert.match(errorText(r), /^The input must be a JSON dictionary with exactly one of the input fields \{.*\}\. Received dictionary with input fields: \[\]\. IMPORTANT/);
  });
});

// Each row: pyfunc output shape config → the conformance answer it must look like.
const shapes: [string, Record<string, unknown>, 'class' | 'probability' | 'probabilities', string][] = [
  ['MLF-4', { predictions: 'ndarray' }, 'probabilities', 'predict_proba ndarray → per-class vectors'],
  ['MLF-5', { predictions: 'series' }, 'class', 'unnamed Series → [{"0": v}]'],
  ['MLF-6', { predictions: 'frame', labelColumn: 'churn' }, 'class', 'one-column DataFrame → [{"churn": v}]'],
  ['MLF-7', { predictions: 'frame' }, 'probability', 'prediction + probability columns'],
  ['MLF-13', { predictions: 'columns', labelColumn: 'label' }, 'probability', 'dict of columns'],
];
for (const [id, mlflow, output, what] of shapes) {
  test(`${id}: a model answering ${what} matches the real answer's shape`, async () => {
    const c = byId(id);
    const config = { model: caseModel(c, output), mlflow: { signature: { inputs: [{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1, 1] } }] }, ...mlflow } };
    await withStrict('mlflow', config, async (s) => {
      const r = await post(`${s.url}/invocations`, { inputs: c.rows.map((row) => [row.a]) });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(shapeDiff(r.json, c.response), []);
    });
  });
}

test('MLF-10: an error inside the model is a 400 {error_code, message, stack_trace}', async () => {
  await withStrict('mlflow', {}, async (s) => {
    const r = await post(`${s.url}/invocations`, '{"inputs": [[NaN, 1, 2, 3]]}');
    assert.equal(r.status, 400);
    assert.deepEqual(shapeDiff(r.json, byId('MLF-10').response), []);
    assert.match(errorText(r), /^Encountered an unexpected error while evaluating the model\./);
  });
});

const telco = (s1: number, s4: number) => (-37 + 0.9 * s1 + 0.3 * s4 > 0 ? 1 : 0);

test('default model: every accepted format predicts the telco rule; Python json.dumps spacing', async () => {
  const rows = [
    [9, 9, 52, 106],
    [2, 3, 50, 100],
  ];
  const names = ['iot_signal_1', 'iot_signal_2', 'iot_signal_3', 'iot_signal_4'];
  const expected = `{"predictions": [${rows.map((r) => telco(r[0], r[3])).join(', ')}]}`;
  await withStrict('mlflow', {}, async (s) => {
    for (const body of [
      { dataframe_split: { columns: names, data: rows } },
      { dataframe_records: rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]]))) },
      { inputs: rows },
      { instances: rows },
    ]) {
      const r = await post(`${s.url}/invocations`, body);
      assert.equal(r.text, expected, JSON.stringify(body));
    }
    const csv = await post(`${s.url}/invocations`, `${names.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`, { 'content-type': 'text/csv' });
    assert.equal(csv.text, expected);
  });
});

// Each row: a request the scoring server refuses → status and what it says.
const refusals: [string, unknown, Record<string, string>, number, RegExp][] = [
  ['no content type', '{"inputs": [[1, 2, 3, 4]]}', { 'content-type': '' }, 500, /^Internal Server Error$/],
  ['text/plain', '{"inputs": [[1, 2, 3, 4]]}', { 'content-type': 'text/plain' }, 415, /^This predictor only supports the following content types: Types: \['text\/csv', 'application\/json'\]\. Got 'text\/plain'\.$/],
  ['a latin-1 charset', '{}', { 'content-type': 'application/json; charset=latin-1' }, 415, /^The scoring server only supports UTF-8$/],
  ['a bare list', [[1, 2, 3, 4]], {}, 400, /^Invalid input\. The input must be a JSON dictionary with exactly one of the input fields .*Received a list\.$/],
  ['two formats at once', { inputs: [[1, 2, 3, 4]], instances: [[1, 2, 3, 4]] }, {}, 400, /Received dictionary with input fields: \['inputs', 'instances'\]\./],
  ['records that are not a list', { dataframe_records: { a: 1 } }, {}, 400, /^Dataframe records format must be a list of records\. Got dictionary\.$/],
  ['a split frame without data', { dataframe_split: { columns: ['a'] } }, {}, 400, /^Dataframe split format must have 'data' field and optionally 'columns' and 'index' fields\. Got \{'columns'\}\.'$/],
  ['instances as records for a tensor model', { instances: [{ iot_signal_1: 1 }] }, {}, 500, /^Failed to parse data as TF serving input\./],
  ['not JSON', '{"inputs": [[1, 2, 3, 4]', {}, 400, /^Invalid input\. Ensure that input is a valid JSON formatted string\. Error: 'JSONDecodeError\(/],
];
for (const [what, body, headers, status, message] of refusals) {
  test(`refused: ${what} → ${status}`, async () => {
    await withStrict('mlflow', {}, async (s) => {
      const h = { ...headers };
      let r;
      if (h['content-type'] === '') {
        // fetch always labels a string body; send without any content type through node:http instead.
        const { request } = await import('node:http');
        r = await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = request(`${s.url}/invocations`, { method: 'POST' }, (res) => {
            let t = '';
            res.on('data', (d) => (t += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t }));
          });
          req.on('error', reject);
          req.end(body as string);
        });
        assert.equal(r.status, status);
        assert.match(r.text, message);
        return;
      }
      const reply = await post(`${s.url}/invocations`, body, h);
      assert.equal(reply.status, status, reply.text);
      assert.match(reply.json ? errorText(reply) : reply.text, message);
    });
  });
}

test('a column signature drops extra columns and names the missing ones', async () => {
  const config = { mlflow: { signature: { inputs: ['iot_signal_1', 'iot_signal_2', 'iot_signal_3', 'iot_signal_4'].map((name) => ({ name, type: 'long' })) } } };
  await withStrict('mlflow', config, async (s) => {
    const ok = await post(`${s.url}/invocations`, { dataframe_records: [{ iot_signal_4: 106, iot_signal_1: 9, iot_signal_2: 9, iot_signal_3: 52, device_id: '0x1d' }] });
    assert.equal(ok.text, '{"predictions": [1]}');
    const missing = await post(`${s.url}/invocations`, { dataframe_records: [{ iot_signal_1: 9, device_id: '0x1d' }] });
    assert.equal(missing.status, 400);
    assert.match(errorText(missing), /Error: Model is missing inputs \['iot_signal_2', 'iot_signal_3', 'iot_signal_4'\]\. Note that there were extra inputs: \['device_id'\]$/);
  });
});
