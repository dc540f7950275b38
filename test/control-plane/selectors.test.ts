import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  fromLabelSelectorObject, matchesLabels, parseLabelSelector, SelectorParseError, selectorToString,
} from '../../control-plane/api/selectors/label-selector.ts';
import { FieldSelectorError, matchesFields, parseFieldSelector } from '../../control-plane/api/selectors/field-selector.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', version: '3' };

  it.each([
    ['', true],
    ['app=web', true],
    ['app==web,tier=front', true],
    ['app!=web', false],
    ['app in (web, api)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['missing!=x', true],
    ['version>2', true],
    ['version<3', false],
    ['app in (api),tier', false],
  ])('%s matches: %s', (text, expected) => {
    expect(matchesLabels(parseLabelSelector(text), labels)).toBe(expected);
  });

  it.each(['app=', 'app in ()', 'a b', '=x', 'app in (web', 'bad key!=x', 'x>y'])('rejects or handles "%s" without crashing', (text) => {
    try {
      parseLabelSelector(text);
    } catch (error) {
      expect(error).toBeInstanceOf(SelectorParseError);
    }
  });

  it('refuses malformed selectors', () => {
    expect(() => parseLabelSelector('app in (web')).toThrow(SelectorParseError);
    expect(() => parseLabelSelector('a b c')).toThrow(SelectorParseError);
    expect(() => parseLabelSelector('version>x')).toThrow(SelectorParseError);
  });

  it('converts a LabelSelector object and prints it as kubectl does', () => {
    const selector = fromLabelSelectorObject({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['x', 'y'] }, { key: 'd', operator: 'DoesNotExist' }] });
    expect(selectorToString(selector)).toBe('a=1,b=2,c in (x,y),!d');
    expect(matchesLabels(selector, { a: '1', b: '2', c: 'y' })).toBe(true);
    expect(matchesLabels(selector, { a: '1', b: '2', c: 'y', d: '' })).toBe(false);
  });

  const labelText = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
  test.prop([fc.dictionary(labelText, labelText, { minKeys: 1, maxKeys: 5 })])('matchLabels printed and parsed again selects the same labels', (matchLabels) => {
    const selector = fromLabelSelectorObject({ matchLabels });
    const reparsed = parseLabelSelector(selectorToString(selector));
    expect(matchesLabels(reparsed, matchLabels)).toBe(true);
    expect(matchesLabels(reparsed, {})).toBe(false);
  });

  test.prop([fc.string({ maxLength: 40 })])('parsing arbitrary text never throws anything but SelectorParseError', (text) => {
    try {
      parseLabelSelector(text);
    } catch (error) {
      expect(error).toBeInstanceOf(SelectorParseError);
    }
  });
});

describe('field selectors', () => {
  it('parses =, == and != and matches', () => {
    const requirements = parseFieldSelector('metadata.name=a,metadata.namespace!=kube-system');
    expect(requirements).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a' },
      { field: 'metadata.namespace', operator: '!=', value: 'kube-system' },
    ]);
    const values: Record<string, string> = { 'metadata.name': 'a', 'metadata.namespace': 'default' };
    expect(matchesFields(requirements, (field) => values[field] ?? '')).toBe(true);
    expect(() => parseFieldSelector('metadata.name')).toThrow(FieldSelectorError);
  });
});
