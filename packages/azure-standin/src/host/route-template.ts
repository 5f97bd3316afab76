// ASP.NET Core route templates as the Functions host uses them: literal segments, `{name}`,
// `{name?}`, `{name:constraint}`, `{name=default}` and a trailing catch-all `{*rest}`.
export interface RouteMatch {
  params: Record<string, string>;
}

type Constraint = (value: string) => boolean;

const constraints: Record<string, Constraint> = {
  int: (v) => /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)),
  long: (v) => /^-?\d+$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  guid: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  double: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  float: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  decimal: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  datetime: (v) => !Number.isNaN(Date.parse(v)),
};

function parameterizedConstraint(spec: string): Constraint {
  const m = /^(\w+)(?:\((.*)\))?$/.exec(spec);
  if (!m) throw new Error(`invalid route constraint "${spec}"`);
  const [, name, arg] = m;
  if (arg === undefined) {
    const c = constraints[name.toLowerCase()];
    if (!c) throw new Error(`unknown route constraint "${name}"`);
    return c;
  }
  const num = Number(arg);
  switch (name.toLowerCase()) {
    case 'minlength': return (v) => v.length >= num;
    case 'maxlength': return (v) => v.length <= num;
    case 'length': {
      const [a, b] = arg.split(',').map(Number);
      return b === undefined ? (v) => v.length === a : (v) => v.length >= a && v.length <= b;
    }
    case 'min': return (v) => constraints.long(v) && Number(v) >= num;
    case 'max': return (v) => constraints.long(v) && Number(v) <= num;
    case 'range': {
      const [a, b] = arg.split(',').map(Number);
      return (v) => constraints.long(v) && Number(v) >= a && Number(v) <= b;
    }
    case 'regex': {
      const re = new RegExp(arg, 'i');
      return (v) => re.test(v);
    }
    default: throw new Error(`unknown route constraint "${name}"`);
  }
}

interface Segment {
  literal?: string;
  param?: { name: string; optional: boolean; catchAll: boolean; defaultValue?: string; constraints: Constraint[]; constraintSpec: string };
}

export class RouteTemplate {
  private readonly segments: Segment[];
  /** Literal-first ordering key: more literal segments win, as ASP.NET routing precedence does. */
  readonly precedence: number;
  /** The template with parameter names erased, to detect two routes that match the same URLs. */
  readonly shape: string;

  constructor(readonly template: string) {
    const parts = template.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p !== '');
    this.segments = parts.map((part, i) => {
      const m = /^\{(\*{1,2})?([^}:=?]+)(?::([^}=?]+(?:\([^)]*\))?(?::[^}=?]+(?:\([^)]*\))?)*))?(?:=([^}]*))?(\?)?\}$/.exec(part);
      if (!m) {
        if (/[{}]/.test(part)) throw new Error(`route "${template}": invalid segment "${part}"`);
        return { literal: part.toLowerCase() };
      }
      const [, star, name, constraintSpec, defaultValue, optional] = m;
      if (star && i !== parts.length - 1) throw new Error(`route "${template}": a catch-all parameter must be last`);
      return {
        param: {
          name,
          optional: Boolean(optional) || Boolean(star) || defaultValue !== undefined,
          catchAll: Boolean(star),
          defaultValue,
          constraints: constraintSpec ? constraintSpec.split(':').map(parameterizedConstraint) : [],
          constraintSpec: (constraintSpec ?? '').toLowerCase(),
        },
      };
    });
    this.precedence = this.segments.reduce((acc, s, i) => acc + (s.literal !== undefined ? 2 ** (20 - i) : 0), 0);
    this.shape = this.segments.map((s) => (s.literal !== undefined ? s.literal : s.param!.catchAll ? '**' : `*${s.param!.constraintSpec}`)).join('/');
  }

  match(pathname: string): RouteMatch | undefined {
    const parts = pathname.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p !== '');
    const params: Record<string, string> = {};
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i];
      if (seg.literal !== undefined) {
        if (parts[i] === undefined || safeDecode(parts[i]).toLowerCase() !== seg.literal) return undefined;
        continue;
      }
      const p = seg.param!;
      let value: string | undefined = p.catchAll ? (parts.length > i ? parts.slice(i).map(safeDecode).join('/') : undefined) : parts[i] === undefined ? undefined : safeDecode(parts[i]);
      if (value === undefined) {
        if (!p.optional) return undefined;
        value = p.defaultValue;
        if (value !== undefined) params[p.name] = value;
        continue;
      }
      if (!p.constraints.every((c) => c(value!))) return undefined;
      params[p.name] = value;
      if (p.catchAll) return { params };
    }
    if (parts.length > this.segments.length) return undefined;
    return { params };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
