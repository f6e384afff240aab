// Bad org/ files: cross-references, duplicates, thresholds, emails, YAML and JSON syntax.

import { afterAll, describe, expect, it } from 'vitest';
import { cleanupConfigTrees, errorsOf, onlyError } from './test-support/config-tree.ts';

afterAll(cleanupConfigTrees);

const HIERARCHY = `tenant: {id: acme, name: Acme}
business_units:
  - id: engineering
    teams:
      - id: platform
        members:
          - email: alice@acme.test
            roles: [developer]
`;

describe('org/ problems', () => {
  it('reports a flat team in an unknown business unit', async () => {
    const error = await onlyError({
      'org/hierarchy.yaml': `${HIERARCHY}teams:\n  - id: payments\n    business_unit: enginering\n`,
    });
    expect(error).toMatchObject({
      file: 'org/hierarchy.yaml',
      line: 11,
      column: 20,
      path: 'teams[0].business_unit',
      message: 'team "payments" is in unknown business unit "enginering"',
      hint: 'did you mean "engineering"?',
    });
  });

  it('reports a duplicate business unit id at the second one, citing the first', async () => {
    const error = await onlyError({ 'org/hierarchy.yaml': `${HIERARCHY}  - id: engineering\n` });
    expect(error).toMatchObject({
      line: 9,
      column: 9,
      path: 'business_units[1].id',
      message: 'duplicate business unit id "engineering"',
    });
    expect(error.hint).toMatch(/first defined at .*org\/hierarchy\.yaml:3:9$/);
  });

  it('reports a duplicate team id across business units', async () => {
    const error = await onlyError({
      'org/hierarchy.yaml': `${HIERARCHY}  - id: data\n    teams:\n      - id: platform\n`,
    });
    expect(error).toMatchObject({
      line: 11,
      column: 13,
      path: 'business_units[1].teams[0].id',
      message: 'duplicate team id "platform"',
    });
  });

  it('reports a duplicate user email across teams', async () => {
    const error = await onlyError({
      'org/hierarchy.yaml': `${HIERARCHY}      - id: infra\n        members:\n          - email: alice@acme.test\n`,
    });
    expect(error).toMatchObject({
      line: 11,
      column: 20,
      path: 'business_units[0].teams[1].members[0].email',
      message: 'duplicate user email "alice@acme.test"',
    });
  });

  it('reports a duplicate budget id across org files', async () => {
    const error = await onlyError({
      'org/hierarchy.yaml': `${HIERARCHY}budgets:\n  - {id: eng, scope: tenant, monthly_budget: 10}\n`,
      'org/budgets.yaml': 'budgets:\n  - {id: eng, scope: team:platform, monthly_budget: 5}\n',
    });
    expect(error).toMatchObject({
      file: 'org/hierarchy.yaml',
      line: 10,
      column: 10,
      path: 'budgets[0].id',
      message: 'duplicate budget id "eng"',
    });
    expect(error.hint).toMatch(/org\/budgets\.yaml:2:10$/);
  });

  it('reports an unknown role on a member, with did-you-mean', async () => {
    const error = await onlyError({
      'org/hierarchy.yaml': HIERARCHY.replace('[developer]', '[developer, viewr]'),
    });
    expect(error).toMatchObject({
      line: 8,
      column: 32,
      path: 'business_units[0].teams[0].members[0].roles[1]',
      message: 'unknown role "viewr"',
      hint: 'did you mean "viewer"?',
    });
  });

  it('reports an unknown group on a member and in a role binding', async () => {
    const errors = await errorsOf({
      'org/hierarchy.yaml': `${HIERARCHY}            groups: [engineers]\n`,
      'org/roles.yaml':
        'groups:\n  - {id: engineer, idp_group: eng}\nrole_bindings:\n  - role: admin\n    at: tenant\n    subjects: [group:engineers, service:ci]\n',
    });
    expect(errors.map((e) => [e.file, e.line, e.column, e.path, e.message])).toEqual([
      [
        'org/hierarchy.yaml',
        9,
        22,
        'business_units[0].teams[0].members[0].groups[0]',
        'unknown group "engineers"',
      ],
      ['org/roles.yaml', 6, 16, 'role_bindings[0].subjects[0]', 'unknown group "engineers"'],
      ['org/roles.yaml', 6, 33, 'role_bindings[0].subjects[1]', 'unknown service account "ci"'],
    ]);
  });

  it('reports a budget scope pointing at an unknown node and a malformed ref', async () => {
    const errors = await errorsOf({
      'org/hierarchy.yaml': HIERARCHY,
      'org/budgets.yaml':
        'budgets:\n  - {id: a, scope: business_unit:eng, monthly_budget: 5}\n  - {id: b, scope: squad:x, monthly_budget: 5}\n',
    });
    expect(errors.map((e) => [e.line, e.column, e.path, e.message])).toEqual([
      [2, 20, 'budgets[0].scope', 'unknown business unit "eng"'],
      [3, 20, 'budgets[1].scope', 'invalid org ref "squad:x": unknown level "squad"'],
    ]);
  });

  it('reports a malformed key scope and a per-seat budget on a key, still checking the other scopes', async () => {
    const pasted = `llmr_LaptopKey123${'s'.repeat(32)}_abcdef`;
    const errors = await errorsOf({
      'org/hierarchy.yaml': HIERARCHY,
      'org/budgets.yaml': [
        'budgets:',
        '  - {id: a, scope: key:LaptopKey123, amount: 5}',
        '  - {id: b, scope: key:short, amount: 5}',
        `  - {id: c, scope: "key:${pasted}", amount: 5}`,
        '  - {id: d, scope: key:LaptopKey123, amount: 5, mode: per_seat}',
        '  - {id: e, scope: team:payments, amount: 5}',
        '',
      ].join('\n'),
    });
    expect(errors.map((e) => [e.file, e.line, e.column, e.path, e.message])).toEqual([
      [
        'org/budgets.yaml',
        3,
        20,
        'budgets[1].scope',
        'invalid key scope: "key:" needs a key id of 12 letters and digits',
      ],
      [
        'org/budgets.yaml',
        4,
        20,
        'budgets[2].scope',
        'invalid key scope: "key:" takes the key id, not the whole key (remove the key from this file and rotate it)',
      ],
      ['org/budgets.yaml', 5, 55, 'budgets[3].mode', 'a per-seat budget on a single key'],
      ['org/budgets.yaml', 6, 20, 'budgets[4].scope', 'unknown team "payments"'],
    ]);
    expect(errors[0]!.hint).toMatch(/12 letters and digits after "llmr_"/);
    // A pasted key's secret is never repeated back.
    expect(JSON.stringify(errors)).not.toContain(pasted);
  });

  it('never repeats a pasted API key back, whatever field it is written in', async () => {
    const pasted = `llmr_LaptopKey123${'s'.repeat(32)}_abcdef`;
    const errors = await errorsOf({
      'org/hierarchy.yaml': HIERARCHY,
      'org/budgets.yaml': [
        'budgets:',
        `  - {id: a, scope: "${pasted}", amount: 5}`,
        `  - {id: b, scope: "Key:${pasted}", amount: 5}`,
        `  - {id: c, scope: "team:${pasted}", amount: 5}`,
        '',
      ].join('\n'),
    });
    expect(errors.map((e) => e.path)).toEqual(['budgets[0].scope', 'budgets[1].scope', 'budgets[2].scope']);
    expect(JSON.stringify(errors)).not.toContain('LaptopKey123');
    expect(errors[0]!.message).toContain('(an API key, left out)');
  });

  it('reports a group budget naming an unknown group, with did-you-mean, and a group scope without an id', async () => {
    const errors = await errorsOf({
      'org/hierarchy.yaml': HIERARCHY,
      'org/roles.yaml': 'groups:\n  - {id: engineers, idp_group: eng}\n',
      'org/budgets.yaml': [
        'budgets:',
        '  - {id: a, scope: group:engineers, amount: 5, mode: per_seat}',
        '  - {id: b, scope: group:enginers, amount: 5}',
        '  - {id: c, scope: "group:", amount: 5}',
        '  - {id: d, scope: {level: group, id: finance}, amount: 5}',
        '',
      ].join('\n'),
    });
    expect(errors.map((e) => [e.file, e.line, e.column, e.path, e.message, e.hint])).toEqual([
      [
        'org/budgets.yaml',
        3,
        20,
        'budgets[1].scope',
        'unknown group "enginers"',
        'did you mean "engineers"?',
      ],
      [
        'org/budgets.yaml',
        4,
        20,
        'budgets[2].scope',
        'invalid group scope "group:": missing id after "group:"',
        'write tenant, business_unit:<id>, team:<id>, user:<email>, group:<group id> or key:<key id>',
      ],
      [
        'org/budgets.yaml',
        5,
        20,
        'budgets[3].scope',
        'unknown group "finance"',
        'define it under groups: in an org file',
      ],
    ]);
  });
  it('reports alert thresholds out of order and out of range', async () => {
    const errors = await errorsOf({
      'org/budgets.yaml':
        'budgets:\n  - id: t\n    scope: tenant\n    monthly_budget: 100\n    alert_thresholds: [50, 90, 80, 120]\n',
    });
    expect(errors.map((e) => [e.line, e.column, e.path, e.message])).toEqual([
      [5, 32, 'budgets[0].alert_thresholds[2]', 'alert thresholds must be ascending: 80 comes after 90'],
      [5, 36, 'budgets[0].alert_thresholds[3]', 'must be ≤ 100, got 120'],
    ]);
    const order = await onlyError({
      'org/budgets.yaml':
        'budgets:\n  - id: t\n    scope: tenant\n    monthly_budget: 100\n    alert_thresholds: [50, 90, 80]\n',
    });
    expect(order).toMatchObject({
      line: 5,
      column: 32,
      path: 'budgets[0].alert_thresholds[2]',
      message: 'alert thresholds must be ascending: 80 comes after 90',
    });
  });

  it('reports a soft cap (approval_required_above) that is not below the budget', async () => {
    const error = await onlyError({
      'org/budgets.yaml':
        'budgets:\n  - id: t\n    scope: tenant\n    monthly_budget: 100\n    approval_required_above: 100\n',
    });
    expect(error).toMatchObject({
      file: 'org/budgets.yaml',
      line: 5,
      path: 'budgets[0].approval_required_above',
      message: "a soft cap of 100 that is not below the budget's 100",
    });
  });

  it('reports a malformed member email', async () => {
    const error = await onlyError({
      'org/hierarchy.yaml': HIERARCHY.replace('alice@acme.test', 'alice.acme.test'),
    });
    expect(error).toMatchObject({
      line: 7,
      column: 20,
      path: 'business_units[0].teams[0].members[0].email',
      message: 'invalid email "alice.acme.test"',
    });
  });

  it('reports a JSON syntax error in org/*.json at its position', async () => {
    const error = await onlyError({
      'org/budgets.json':
        '{\n  "budgets": [\n    {"id": "a", "scope": "tenant", "monthly_budget": 5},\n  ]\n}\n',
    });
    expect(error).toMatchObject({
      file: 'org/budgets.json',
      line: 4,
      column: 3,
      path: '',
      message: 'JSON syntax error: trailing comma before "]"',
    });
  });

  it('reports a YAML syntax error in an org file', async () => {
    const error = await onlyError({ 'org/hierarchy.yaml': 'tenant:\n  id: acme\n name: Acme\n' });
    expect(error).toMatchObject({ file: 'org/hierarchy.yaml', line: 3 });
    expect(error.message).toMatch(/^YAML syntax error/);
  });

  it('locates problems in JSON org files too', async () => {
    const error = await onlyError({
      'org/budgets.json':
        '{\n  "budgets": [\n    {"id": "a", "scope": "tenant", "monthly_budget": "$5"}\n  ]\n}\n',
    });
    expect(error).toMatchObject({
      line: 3,
      column: 54,
      path: 'budgets[0].monthly_budget',
      message: 'expected a number, got string "$5"',
    });
  });

  it('reports turning off security policy enforcement', async () => {
    const error = await onlyError({
      'org/roles.yaml': 'inheritance:\n  security_policies_enforced: false\n',
    });
    expect(error).toMatchObject({
      line: 2,
      column: 31,
      message: 'security policies are always enforced and cannot be turned off',
    });
  });

  it('needs exactly one of amount and monthly_budget, and amount for a daily or weekly budget', async () => {
    const both = await onlyError({
      'org/org.yaml': `${HIERARCHY}budgets:\n  - {id: a, scope: tenant, amount: 5, monthly_budget: 5}\n`,
    });
    expect(both).toMatchObject({ file: 'org/org.yaml', path: 'budgets[0].amount' });
    expect(both.message).toMatch(/exactly one of "amount" and "monthly_budget"/);
    const daily = await onlyError({
      'org/org.yaml': `${HIERARCHY}budgets:\n  - {id: a, scope: tenant, monthly_budget: 5, period: daily}\n`,
    });
    expect(daily).toMatchObject({ path: 'budgets[0].monthly_budget', hint: expect.stringMatching(/amount/) });
  });
});
