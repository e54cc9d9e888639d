import { ArgError, type TemplateFunc } from "../template/exec";
import { isNil, typeName } from "../template/values";
import { str } from "./convert";
import { sprigCrypto } from "./crypto";
import { sprigDates } from "./dates";
import { sprigDicts } from "./dicts";
import { sprigEncoding } from "./encoding";
import { sprigLists } from "./lists";
import { sprigMath } from "./math";
import { sprigPaths } from "./paths";
import { sprigSemver } from "./semver";
import { sprigStrings } from "./strings";
import { sprigText } from "./text";

/** Which arguments of each function are Go `string`s: given nil, Go refuses the call before it runs. */
const STRING_PARAMS: Record<string, number[]> = {
  upper: [0],
  lower: [0],
  title: [0],
  untitle: [0],
  trim: [0],
  trimAll: [0, 1],
  trimall: [0, 1],
  abbrevboth: [2],
  shuffle: [0],
  mustRegexMatch: [0, 1],
  mustRegexFind: [0, 1],
  mustRegexFindAll: [0, 1],
  mustRegexReplaceAll: [0, 1, 2],
  mustRegexReplaceAllLiteral: [0, 1, 2],
  mustRegexSplit: [0, 1],
  base: [0],
  dir: [0],
  clean: [0],
  ext: [0],
  isAbs: [0],
  osBase: [0],
  osDir: [0],
  osClean: [0],
  osExt: [0],
  osIsAbs: [0],
  urlParse: [0],
  bcrypt: [0],
  htpasswd: [0, 1],
  derivePassword: [1, 2, 3, 4],
  genPrivateKey: [0],
  buildCustomCert: [0, 1],
  genCA: [0],
  genCAWithKey: [0, 2],
  genSelfSignedCert: [0],
  genSelfSignedCertWithKey: [0, 4],
  genSignedCert: [0],
  genSignedCertWithKey: [0, 5],
  encryptAES: [0, 1],
  decryptAES: [0, 1],
  toDate: [0, 1],
  mustToDate: [0, 1],
  dateModify: [0],
  date_modify: [0],
  mustDateModify: [0],
  must_date_modify: [0],
  dateInZone: [0, 2],
  date_in_zone: [0, 2],
  date: [0],
  htmlDateInZone: [1],
  mustFromJson: [0],
  trimSuffix: [0, 1],
  trimPrefix: [0, 1],
  replace: [0, 1, 2],
  repeat: [1],
  substr: [2],
  trunc: [1],
  abbrev: [1],
  indent: [1],
  nindent: [1],
  nospace: [0],
  initials: [0],
  wrap: [1],
  wrapWith: [1, 2],
  contains: [0, 1],
  hasPrefix: [0, 1],
  hasSuffix: [0, 1],
  camelcase: [0],
  snakecase: [0],
  kebabcase: [0],
  swapcase: [0],
  plural: [0, 1],
  split: [0, 1],
  splitList: [0, 1],
  splitn: [0, 2],
  regexMatch: [0, 1],
  regexFind: [0, 1],
  regexFindAll: [0, 1],
  regexReplaceAll: [0, 1, 2],
  regexReplaceAllLiteral: [0, 1, 2],
  regexSplit: [0, 1],
  regexQuoteMeta: [0],
  b64enc: [0],
  b64dec: [0],
  b32enc: [0],
  b32dec: [0],
  sha1sum: [0],
  sha256sum: [0],
  sha512sum: [0],
  adler32sum: [0],
};

function withStringParams(funcs: Record<string, TemplateFunc>): Record<string, TemplateFunc> {
  return Object.fromEntries(
    Object.entries(funcs).map(([name, fn]) => {
      const positions = STRING_PARAMS[name];
      if (!positions) return [name, fn];
      const checked: TemplateFunc = (...args) => {
        if (positions.some((i) => i < args.length && isNil(args[i])))
          throw new ArgError("invalid value; expected string");
        return fn(...args);
      };
      return [name, checked];
    }),
  );
}

/** The Sprig functions, with Sprig's argument order (pipelines pass the last). */
export const sprig: Record<string, TemplateFunc> = withStringParams({
  ...sprigStrings,
  ...sprigText,
  ...sprigLists,
  ...sprigDicts,
  ...sprigMath,
  ...sprigEncoding,
  ...sprigSemver,
  ...sprigDates,
  ...sprigCrypto,
  ...sprigPaths,
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  title: (s) =>
    str(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase()),
  repeat: (count, s) => {
    if (typeof count !== "bigint")
      throw new Error(`wrong type for value; expected int; got ${typeName(count)}`);
    return str(s).repeat(Number(count < 0n ? 0n : count));
  },
});
