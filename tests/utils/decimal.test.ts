import { describe, expect, it } from 'vitest';
import {
  addMoney,
  compareMoney,
  costForTokens,
  formatUsd,
  numeratorToMoney,
  parseMoney,
  subtractMoney,
  toFixedMoney,
  tokenCostNumerator,
} from '../../features/ai-chat/protocol/decimal';

describe('decimal money', () => {
  it('adds 0.1 and 0.2 to exactly 0.3, where floats drift', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(addMoney('0.1', '0.2')).toBe('0.3');
  });

  it('keeps a sum of many tiny amounts exact', () => {
    const amounts = Array.from({ length: 10_000 }, () => '0.0000001');
    let floatSum = 0;
    for (const amount of amounts) floatSum += Number(amount);
    expect(floatSum).not.toBe(0.001);
    expect(addMoney(...amounts)).toBe('0.001');
  });

  it('writes amounts canonically, without trailing zeros', () => {
    expect(addMoney('1.50', '0.0000000000')).toBe('1.5');
    expect(addMoney('0')).toBe('0');
    expect(addMoney()).toBe('0');
  });

  it('rounds digits past the tenth decimal place half up', () => {
    expect(addMoney('0.00000000004')).toBe('0');
    expect(addMoney('0.00000000005')).toBe('0.0000000001');
  });

  it('pads to the database scale for a numeric(20,10) column', () => {
    expect(toFixedMoney('0.00125')).toBe('0.0012500000');
    expect(toFixedMoney('3', 2)).toBe('3.00');
  });

  it('compares and subtracts exactly', () => {
    expect(compareMoney('0.3', addMoney('0.1', '0.2'))).toBe(0);
    expect(compareMoney('0.3000000001', '0.3')).toBe(1);
    expect(compareMoney('1', '1.0000000001')).toBe(-1);
    expect(subtractMoney('1', '0.0001')).toBe('0.9999');
    expect(subtractMoney('0.1', '0.3')).toBe('-0.2');
  });

  it('prices a token count at a per-million rate', () => {
    expect(costForTokens(1_000_000, '2.50')).toBe('2.5');
    expect(costForTokens(1, '0.075')).toBe('0.000000075');
    expect(costForTokens(100, '10')).toBe('0.001');
    expect(costForTokens(0, '75')).toBe('0');
  });

  it('rounds once after summing line items, so cents of a cent are not lost per item', () => {
    // 1 token at $0.00005/M is 5e-11 each: rounded alone it would be 1e-10; summed first it is exact.
    const numerator = tokenCostNumerator(1, '0.00005') + tokenCostNumerator(1, '0.00005');
    expect(numeratorToMoney(numerator)).toBe('0.0000000001');
  });

  it('rejects what is not a decimal amount', () => {
    expect(() => parseMoney('1e-7')).toThrow(RangeError);
    expect(() => parseMoney('abc')).toThrow(RangeError);
    expect(() => costForTokens(-1, '1')).toThrow(RangeError);
    expect(() => costForTokens(1.5, '1')).toThrow(RangeError);
  });

  it('formats dollars for display', () => {
    expect(formatUsd('0.0123')).toBe('$0.0123');
    expect(formatUsd('0.01234567')).toBe('$0.0123');
    expect(formatUsd('0.5')).toBe('$0.50');
    expect(formatUsd('0')).toBe('$0.00');
    expect(formatUsd('0.00000004')).toBe('<$0.0001');
    expect(formatUsd('1234.567')).toBe('$1,234.57');
    expect(formatUsd('12')).toBe('$12.00');
  });
});
