import { useId, useState, type ReactNode } from 'react';
import { get, useForm, type FieldValues } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** `list`: comma separated; `lines`: one item a line; `multi`: a group of checkboxes (an array of the checked options). */
export type FieldKind = 'text' | 'textarea' | 'select' | 'number' | 'checkbox' | 'datetime' | 'date' | 'list' | 'lines' | 'multi';

export interface FieldSpec {
  /** The body path the API names in `details[].field` (`customer.tier`, `compensation.amount`). */
  name: string;
  labelKey: string;
  kind: FieldKind;
  options?: readonly string[];
  optionsKey?: string;
  required?: boolean;
  helpKey?: string;
  /** A label already in the user's language (fields defined as data, numbered goals); wins over labelKey. */
  label?: string;
  /** Help already in the user's language; wins over helpKey. */
  help?: string;
}

export interface FormSpec<R> {
  key: string;
  titleKey: string;
  /** A title already in the user's language; wins over titleKey. */
  title?: string;
  /** Shown under the title, before the fields (a type's description, a goal count picker). */
  intro?: ReactNode;
  fields: FieldSpec[];
  defaults?: FieldValues;
  /** Called with the cleaned body (empty optional fields left out, lists split, times as ISO 8601 UTC). */
  submit(body: FieldValues): Promise<R>;
  /** Shown above the submit button, recomputed as the user types (risk, priority). */
  preview?(values: FieldValues): ReactNode;
}

function clean(spec: FieldSpec[], values: FieldValues): FieldValues {
  const out: FieldValues = {};
  for (const f of spec) {
    let v: unknown = get(values, f.name);
    if (f.kind === 'list' && typeof v === 'string') v = v.split(',').map((s) => s.trim()).filter(Boolean);
    if (f.kind === 'lines' && typeof v === 'string') v = v.split('\n').map((s) => s.trim()).filter(Boolean);
    if (f.kind === 'multi') v = Array.isArray(v) ? v : typeof v === 'string' && v ? [v] : [];
    if (f.kind === 'datetime' && typeof v === 'string' && v) v = Number.isNaN(new Date(v).getTime()) ? v : new Date(v).toISOString();
    if (f.kind === 'number' && typeof v === 'string' && v !== '') v = Number(v);
    if (v === '' || v === undefined || v === null) continue;
    const path = f.name.split('.');
    let node = out;
    // a numeric segment is an array index: `goals.0.title` builds `goals: [{ title }]`
    path.slice(0, -1).forEach((p, i) => (node = (node[p] ??= /^\d+$/.test(path[i + 1]) ? [] : {}) as FieldValues));
    node[path[path.length - 1]] = v;
  }
  return out;
}

/**
 * One action (or a start form) as a form. The API validates: a 400's `details[].field` is shown beside that field,
 * a 403/409 above the button, and `onDone` gets the response (the case as it now stands).
 */
export function ActionForm<R>({ spec, onDone }: { spec: FormSpec<R>; onDone(result: R): void }) {
  const { t } = useTranslation();
  const uid = useId();
  const [problem, setProblem] = useState<string[] | null>(null);
  const [done, setDone] = useState(false);
  const { register, handleSubmit, setError, watch, reset, formState } = useForm<FieldValues>({ defaultValues: spec.defaults });
  const values = watch();

  const onSubmit = handleSubmit(async (raw) => {
    setProblem(null);
    setDone(false);
    try {
      const result = await spec.submit(clean(spec.fields, raw));
      reset(spec.defaults);
      setDone(true);
      onDone(result);
    } catch (e) {
      if (!(e instanceof ApiError)) {
        setProblem([t('errors.generic'), (e as Error).message]);
        return;
      }
      const unplaced: string[] = [];
      let focused = false;
      for (const d of e.details) {
        const field = spec.fields.find((f) => d.field === f.name || d.field.startsWith(`${f.name}.`) || f.name.startsWith(`${d.field}.`));
        if (!field) {
          unplaced.push(`${d.field}: ${d.messages.join('; ')}`);
          continue;
        }
        // the first field the API names gets the focus, so keyboard and screen-reader users land on it
        setError(field.name, { type: 'server', message: d.messages.join('; ') }, { shouldFocus: !focused });
        focused = true;
      }
      const lead = e.status === 400 ? t('errors.invalid') : e.status === 403 ? t('errors.forbidden') : e.status === 409 ? t('errors.conflict') : t('errors.generic');
      setProblem([lead, ...(e.details.length ? unplaced : [e.message])]);
    }
  });

  return (
    <form className="action-form" onSubmit={(e) => void onSubmit(e)} aria-labelledby={`${uid}-heading`} data-testid={`form-${spec.key}`} noValidate>
      <h3 id={`${uid}-heading`}>{spec.title ?? t(spec.titleKey)}</h3>
      {spec.intro ? <div className="intro">{spec.intro}</div> : null}
      {spec.fields.map((f) => {
        const id = `${uid}-f-${f.name}`;
        const err = get(formState.errors, f.name) as { message?: string } | undefined;
        const help = f.help ?? (f.helpKey ? t(f.helpKey) : null);
        const described = [err ? `${id}-err` : '', help ? `${id}-help` : ''].filter(Boolean).join(' ') || undefined;
        const common = { id, 'aria-invalid': err ? true : undefined, 'aria-describedby': described, 'aria-required': f.required || undefined };
        const labelText = (
          <>
            {f.label ?? t(f.labelKey)}
            {!f.required && f.kind !== 'checkbox' ? <span className="muted"> ({t('case.optional')})</span> : null}
          </>
        );
        // a checkbox group is named by its group label; every other input by a <label for>
        const label =
          f.kind === 'multi' ? (
            <span id={`${id}-label`} className="group-label">
              {labelText}
            </span>
          ) : (
            <label htmlFor={id}>{labelText}</label>
          );
        let input: ReactNode;
        switch (f.kind) {
          case 'textarea':
          case 'lines':
            input = <textarea rows={f.kind === 'lines' ? 4 : 3} {...common} {...register(f.name)} />;
            break;
          case 'multi':
            input = (
              <div className="checks" role="group" aria-labelledby={`${id}-label`} aria-describedby={described} aria-invalid={err ? true : undefined}>
                {f.options!.map((o) => (
                  <label key={o} className="inline">
                    <input type="checkbox" value={o} {...register(f.name)} /> {f.optionsKey ? t(`${f.optionsKey}.${o}`, { defaultValue: o }) : o}
                  </label>
                ))}
              </div>
            );
            break;
          case 'date':
            input = <input type="date" {...common} {...register(f.name)} />;
            break;
          case 'select':
            input = (
              <select {...common} {...register(f.name)}>
                {!f.required && <option value="">—</option>}
                {f.options!.map((o) => (
                  <option key={o} value={o}>
                    {f.optionsKey ? t(`${f.optionsKey}.${o}`, { defaultValue: o }) : o}
                  </option>
                ))}
              </select>
            );
            break;
          case 'checkbox':
            input = <input type="checkbox" {...common} {...register(f.name)} />;
            break;
          case 'number':
            input = <input type="number" step="any" inputMode="decimal" {...common} {...register(f.name)} />;
            break;
          case 'datetime':
            input = <input type="datetime-local" {...common} {...register(f.name)} />;
            break;
          default:
            input = <input type="text" {...common} {...register(f.name)} />;
        }
        return (
          <div key={f.name} className={`field ${f.kind === 'checkbox' ? 'check' : ''} ${err ? 'has-error' : ''}`}>
            {f.kind === 'checkbox' ? (
              <>
                {input}
                {label}
              </>
            ) : (
              <>
                {label}
                {input}
              </>
            )}
            {help ? (
              <small id={`${id}-help`} className="muted">
                {help}
              </small>
            ) : null}
            {err?.message ? (
              <span id={`${id}-err`} className="field-error" data-testid={`error-${f.name}`}>
                {err.message}
              </span>
            ) : null}
          </div>
        );
      })}
      {spec.preview ? <div className="preview" aria-live="polite">{spec.preview(values)}</div> : null}
      {problem ? (
        <div role="alert" className="form-error" data-testid="form-error">
          {problem.map((p, i) => (
            <div key={i}>{p}</div>
          ))}
        </div>
      ) : null}
      {done && !problem ? (
        <div role="status" className="form-ok">
          {t('case.saved')}
        </div>
      ) : null}
      <button type="submit" disabled={formState.isSubmitting}>
        {formState.isSubmitting ? t('case.submitting') : t('case.submit')}
      </button>
    </form>
  );
}
