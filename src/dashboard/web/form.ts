import { h } from './dom.js';
import type { ParamSchema } from './types.js';

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

/** The flag a parameter is passed with on the command line (limit → --limit, asOf → --as-of). */
export function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function control(name: string, schema: ParamSchema, value: string | null): HTMLElement {
  const id = `param-${name}`;
  const common = { id, name };
  if (schema.enum) {
    const options = [
      schema.default === undefined ? h('option', { value: '' }, '(any)') : null,
      ...schema.enum.map((v) => {
        const option = h('option', { value: v }, v);
        if (v === (value ?? String(schema.default ?? ''))) option.selected = true;
        return option;
      }),
    ];
    return h('select', common, ...options);
  }
  if (schema.pattern === DATE_PATTERN) {
    return h('input', { ...common, type: 'date', value: value ?? '' });
  }
  if (schema.type === 'number' || schema.type === 'integer') {
    const min = schema.minimum ?? schema.exclusiveMinimum;
    const max = schema.maximum ?? schema.exclusiveMaximum;
    return h('input', {
      ...common,
      type: 'number',
      step: schema.type === 'integer' ? '1' : 'any',
      value: value ?? '',
      placeholder: schema.default === undefined ? '' : String(schema.default),
      ...(min === undefined ? {} : { min: String(min) }),
      ...(max === undefined ? {} : { max: String(max) }),
    });
  }
  return h('input', {
    ...common,
    type: 'text',
    value: value ?? '',
    placeholder: schema.default === undefined ? '' : String(schema.default),
  });
}

/**
 * A form built from an analysis's parameter schema alone: enums as selects, dates as date pickers,
 * numbers with their bounds, text otherwise. The browser's own checks are off (novalidate) so that a
 * bad value reaches the server and the viewer reads the CLI's message for it.
 */
export function paramsForm(
  properties: Record<string, ParamSchema>,
  values: URLSearchParams,
  onSubmit: (params: Record<string, string>) => void,
): HTMLFormElement {
  const fields = Object.entries(properties).map(([name, schema]) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `param-${name}` }, flagOf(name)),
      control(name, schema, values.get(name)),
      schema.description ? h('small', {}, schema.description) : null,
    ),
  );
  const form = h(
    'form',
    { class: 'params', novalidate: '' },
    ...fields,
    h('div', { class: 'field actions' }, h('button', { type: 'submit' }, 'Run')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params: Record<string, string> = {};
    for (const [key, value] of new FormData(form)) {
      if (typeof value === 'string' && value !== '') params[key] = value;
    }
    onSubmit(params);
  });
  return form;
}
