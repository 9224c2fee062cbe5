import { PageHeader } from '../../components/PageHeader.tsx';

export default function StackPage() {
  return <PageHeader title="StackPage" description="Not built yet" />;
}
