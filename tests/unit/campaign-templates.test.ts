// Campaign templates in safe Liquid: unknown variables and filters are errors that name them (in
// every branch, not only the one rendered), nothing is read from disk, the DoS limits hold,
// defaults and conditionals work, and null or empty variables are values, not errors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SAMPLE_PROSPECT, type TemplateData } from '../../domain/campaigns/spec.js';
import { compileTemplate, emptyOutputs, MAX_TEMPLATE_LENGTH, referencedVariables, renderTemplate, TemplateError } from '../../domain/campaigns/templates.js';

const blank: TemplateData = { firstName: null, lastName: null, email: null, phone: null, company: null, senderName: 'Harbor Team', fields: {} };

function fails(fn: () => unknown, pattern: RegExp): TemplateError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TemplateError, `a TemplateError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return err;
  }
  assert.fail('expected a TemplateError');
}

describe('campaign templates', () => {
  test('variables, defaults and conditionals', () => {
    const t = 'Hi {{ firstName | default: "there" }}{% if company %} at {{ company }}{% endif %}, {{ senderName }}';
    assert.equal(renderTemplate(t, SAMPLE_PROSPECT), 'Hi Alex at Sample Motors, Sample Team');
    assert.equal(renderTemplate(t, blank), 'Hi there, Harbor Team');
    assert.equal(renderTemplate('{{ company | default: "your team" }}', { ...blank, company: '' }), 'your team', 'empty counts as unset for default');
    assert.equal(renderTemplate('{{ fields.model | upcase }}', { ...blank, fields: { model: 'Civic' } }), 'CIVIC');
    assert.equal(renderTemplate('{{ fields["Model Year"] }}', { ...blank, fields: { 'Model Year': '2024' } }), '2024');
  });

  test('null variables render empty under strict mode instead of failing', () => {
    assert.equal(renderTemplate('Hi {{ firstName }} {{ lastName }}!', blank), 'Hi  !');
    assert.equal(renderTemplate('{% unless email %}no e-mail{% endunless %}', blank), 'no e-mail');
  });

  test('a custom column the prospect lacks renders empty (and default applies)', () => {
    assert.equal(renderTemplate('[{{ fields.model }}]', blank), '[]');
    assert.equal(renderTemplate('{{ fields.model | default: "your car" }}', blank), 'your car');
    assert.equal(renderTemplate('{% if fields.model %}yes{% else %}no{% endif %}', blank), 'no');
  });

  test('an unknown variable is an error naming it, in any branch and with its position', () => {
    const e = fails(() => renderTemplate('Hi {{ frstName }}', SAMPLE_PROSPECT), /unknown variable "frstName" \(line 1, col 7\)/);
    assert.equal(e.variable, 'frstName');
    // The branch is not taken for the sample, and the error is still found.
    fails(() => compileTemplate('{% if company %}ok{% else %}{{ vehicle }}{% endif %}'), /unknown variable "vehicle"/);
    fails(() => renderTemplate('{{ firstName.constructor }}', SAMPLE_PROSPECT), /firstName\.constructor/);
  });

  test('an unknown filter is an error naming it', () => {
    const e = fails(() => compileTemplate('{{ firstName | shout }}'), /unknown filter "shout"/);
    assert.equal(e.filter, 'shout');
  });

  test('syntax errors are TemplateErrors', () => {
    fails(() => compileTemplate('Hi {{ firstName'), /not closed/);
    fails(() => compileTemplate('{% if company %}open'), /not closed/);
  });

  test('include, render and layout cannot read the disk (or anything)', () => {
    for (const t of [
      '{% include "/etc/passwd" %}',
      "{% render 'package.json' %}",
      '{% layout "README.md" %}x',
      '{% if false %}{% include "/etc/hostname" %}{% endif %}',
    ])
      fails(() => renderTemplate(t, SAMPLE_PROSPECT), /tag is not available in campaign templates/);
  });

  test('DoS limits: template size, allocation and render counts', () => {
    fails(() => compileTemplate('x'.repeat(MAX_TEMPLATE_LENGTH + 1)), /over 10000/);
    fails(() => renderTemplate('{% for i in (1..100000000) %}{{ i }}{% endfor %}', SAMPLE_PROSPECT), /limit exceeded/);
    // A runaway loop of small ranges: 27 million iterations. Whichever limit trips first (the
    // ranges' allocations or the render time), it must trip on any machine: a single 100,000-step
    // loop, used before, finished inside the 250 ms render limit on a quiet machine (clean-clone run).
    fails(
      () => renderTemplate('{% for i in (1..300) %}{% for j in (1..300) %}{% for k in (1..300) %}{{ k }}{% endfor %}{% endfor %}{% endfor %}', SAMPLE_PROSPECT),
      /limit exceeded/,
    );
    // An ordinary loop is fine.
    assert.equal(renderTemplate('{% for i in (1..3) %}{{ i }}{% endfor %}', SAMPLE_PROSPECT), '123');
  });

  test('the referenced variables, assignments excluded', () => {
    assert.deepEqual(referencedVariables('Hi {{ firstName }} {% assign c = company %}{{ c }} {{ fields.model }} {{ fields.model }}'), [
      'firstName',
      'company',
      'fields.model',
    ]);
  });

  test('emptyOutputs names the outputs that came out blank, not those with a default', () => {
    assert.deepEqual(emptyOutputs('Hi {{ firstName }}, {{ lastName | default: "friend" }} {{ senderName }} {{- fields.x -}}', blank), [
      '{{ firstName }}',
      '{{- fields.x -}}',
    ]);
    assert.deepEqual(emptyOutputs('{% if company %}{{ company }}{% endif %}', blank), [], 'an output in a branch not taken is not empty');
  });
});
