import { IsString, Length, Matches } from 'class-validator';
import { Optional } from './optional';
import { IDENTIFIER, SINGLE_LINE } from './patterns';

/** What describes every value an end user is asked for: its key, its label and a help text. */
export abstract class LabelledFieldDto {
  @Matches(IDENTIFIER, { message: 'key must be an identifier (letters, digits, _; at most 64)' })
  readonly key: string;

  @Matches(SINGLE_LINE, { message: 'label must be a single line' })
  @Length(1, 200)
  @IsString()
  readonly label: string;

  @Optional()
  @Length(0, 1000)
  @IsString()
  readonly description?: string;
}
