import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/**
 * The OpenAPI shape of a list response, `{ items, nextCursor }`, for one item type. Classes are made once per
 * item type so the document names each schema (`TaskResponseDtoPage`).
 */
const pages = new Map<Type, Type>();

export function PageOf<T>(item: Type<T>): Type<{ items: T[]; nextCursor: string | null }> {
  const known = pages.get(item);
  if (known) return known as Type<{ items: T[]; nextCursor: string | null }>;
  class Page {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page; null on the last page' })
    nextCursor: string | null;
  }
  Object.defineProperty(Page, 'name', { value: `${item.name}Page` });
  pages.set(item, Page);
  return Page;
}
