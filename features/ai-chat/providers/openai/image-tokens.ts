import 'server-only';

interface TileCost {
  kind: 'tiles';
  base: number;
  perTile: number;
}
interface PatchCost {
  kind: 'patches';
  multiplier: number;
}

/**
 * OpenAI's "Images and vision → Calculating costs", at detail high/auto. Most models bill 512 px
 * tiles: the image is fitted in 2048 × 2048, then scaled so its short side is at most 768 px, and
 * costs base + perTile × tiles (GPT-4o and GPT-4.1: 85 + 170; GPT-5: 70 + 140; o1/o3: 75 + 150;
 * GPT-4o mini 2,833 + 5,667). The small recent models bill 32 px patches, at most 1,536 of them,
 * times a per-model multiplier (gpt-5-mini and gpt-4.1-mini 1.62, the nanos 2.46, o4-mini 1.72).
 * An unknown model is estimated as GPT-4o.
 */
function openAICost(model: string): TileCost | PatchCost {
  const name = model.toLowerCase();
  if (/^gpt-(5|4\.1)-mini/.test(name)) return { kind: 'patches', multiplier: 1.62 };
  if (/^gpt-(5|4\.1)-nano/.test(name)) return { kind: 'patches', multiplier: 2.46 };
  if (/^o4-mini/.test(name)) return { kind: 'patches', multiplier: 1.72 };
  if (/^gpt-4o-mini/.test(name)) return { kind: 'tiles', base: 2_833, perTile: 5_667 };
  if (/^gpt-5/.test(name)) return { kind: 'tiles', base: 70, perTile: 140 };
  if (/^o(1|3)/.test(name)) return { kind: 'tiles', base: 75, perTile: 150 };
  return { kind: 'tiles', base: 85, perTile: 170 };
}

const MAX_PATCHES = 1_536;

export function openAIImageTokens(model: string, width: number, height: number): number {
  const cost = openAICost(model);
  if (cost.kind === 'patches') {
    let patches = Math.ceil(width / 32) * Math.ceil(height / 32);
    if (patches > MAX_PATCHES) {
      // Scaled down until the patches fit, as the docs describe (then fitted to whole patches).
      const scale = Math.sqrt((MAX_PATCHES * 32 * 32) / (width * height));
      patches = Math.min(MAX_PATCHES, Math.floor((width * scale) / 32) * Math.floor((height * scale) / 32));
    }
    return Math.ceil(patches * cost.multiplier);
  }
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const shortSide = Math.min(w, h);
  if (shortSide > 768) {
    w *= 768 / shortSide;
    h *= 768 / shortSide;
  }
  const tiles = Math.ceil(w / 512) * Math.ceil(h / 512);
  return cost.base + cost.perTile * tiles;
}
