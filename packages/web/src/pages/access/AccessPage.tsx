import { PageHeader } from '../../components/PageHeader.tsx';

export default function AccessPage() {
  return <PageHeader title="AccessPage" description="Not built yet" />;
}
